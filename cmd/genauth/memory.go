package main

import (
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/opengenauth/genauth/internal/platform/password"
)

// Special values of memoryLimit.bytes.
const (
	memoryLimitAuto = -1
	memoryLimitOff  = math.MaxInt64 // the runtime's "no limit"
)

// minMemoryLimit refuses a limit so low that the collector would run
// without pause (a forgotten unit: 512 is bytes).
const minMemoryLimit = 64 << 20

// autoMemoryHelp describes autoMemoryLimit for --help.
const autoMemoryHelp = "256MiB plus 38MiB per concurrent password hash"

// autoMemoryLimit leaves room for the server's ordinary heap (well under
// 100 MiB) and, per hashing slot, a running hash and the garbage of the last.
func autoMemoryLimit(hashConcurrency int) int64 {
	return 256<<20 + int64(hashConcurrency)*2*password.MemoryPerHash
}

// memoryLimit is the --memory-limit flag: GOMEMLIMIT's syntax (a number of
// bytes with an optional B, KiB, MiB, GiB or TiB), off, or auto.
type memoryLimit struct{ bytes int64 }

var memoryUnits = []struct {
	suffix string
	shift  uint
}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}

func (m *memoryLimit) String() string {
	switch m.bytes {
	case memoryLimitAuto:
		return "auto"
	case memoryLimitOff:
		return "off"
	}
	for _, u := range memoryUnits {
		if m.bytes%(1<<u.shift) == 0 {
			return strconv.FormatInt(m.bytes>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(m.bytes, 10)
}

func (m *memoryLimit) Set(s string) error {
	switch s {
	case "auto":
		m.bytes = memoryLimitAuto
		return nil
	case "off":
		m.bytes = memoryLimitOff
		return nil
	}
	num, shift := s, uint(0)
	for _, u := range memoryUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			num, shift = rest, u.shift
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64>>shift {
		return errors.New("want a size such as 512MiB or 2GiB (B, KiB, MiB, GiB, TiB), off or auto")
	}
	if n<<shift < minMemoryLimit {
		return fmt.Errorf("%s is below the least useful limit, %dMiB (a bare number counts bytes)", s, minMemoryLimit>>20)
	}
	m.bytes = n << shift
	return nil
}

func (m *memoryLimit) Type() string { return "size" }

// memoryLimitFor decides the soft memory limit: the flag when given, else
// GOMEMLIMIT (which the runtime applied already: keep is true and the
// limit is left alone), else autoMemoryLimit. overridden is set when the
// flag replaces a GOMEMLIMIT.
func memoryLimitFor(m memoryLimit, gomemlimit string, hashConcurrency int) (limit int64, source string, keep, overridden bool) {
	switch {
	case m.bytes != memoryLimitAuto:
		return m.bytes, "--memory-limit", false, gomemlimit != ""
	case gomemlimit != "":
		return debug.SetMemoryLimit(-1), "GOMEMLIMIT", true, false
	}
	return autoMemoryLimit(hashConcurrency), "auto", false, false
}

// applyMemoryLimit sets the runtime's soft memory limit; it returns the
// log attributes that say which and why, logged once serve listens.
func applyMemoryLimit(m memoryLimit, gomemlimit string, hashConcurrency int) []any {
	limit, source, keep, overridden := memoryLimitFor(m, gomemlimit, hashConcurrency)
	if !keep {
		debug.SetMemoryLimit(limit)
	}
	attrs := []any{"memory_limit", (&memoryLimit{limit}).String(), "memory_limit_source", source}
	if overridden {
		attrs = append(attrs, "overridden_gomemlimit", gomemlimit)
	}
	return attrs
}
