package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestMemoryLimitFlag(t *testing.T) {
	for in, want := range map[string]int64{
		"auto": memoryLimitAuto, "off": memoryLimitOff, "512MiB": 512 << 20, "2GiB": 2 << 30,
		"1TiB": 1 << 40, "100000000": 100000000, "65536KiB": 64 << 20,
	} {
		var m memoryLimit
		if err := m.Set(in); err != nil || m.bytes != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, m.bytes, err, want)
			continue
		}
		var back memoryLimit
		if err := back.Set(m.String()); err != nil || back.bytes != want {
			t.Errorf("%q shows as %q, which reads back as %d, %v", in, m.String(), back.bytes, err)
		}
	}
	for _, bad := range []string{"", "512", "1MiB", "-1GiB", "2GB", "lots", "9999999999TiB"} {
		var m memoryLimit
		if err := m.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
}

// TestMemoryLimitChoice: the flag wins (and says so over GOMEMLIMIT), an
// explicit GOMEMLIMIT wins over auto, and auto grows with the hashing slots.
func TestMemoryLimitChoice(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	for _, tc := range []struct {
		name, gomemlimit string
		flag             int64
		limit            int64
		source           string
		keep, overridden bool
	}{
		{"auto", "", memoryLimitAuto, 256<<20 + 4*19<<20, "auto", false, false},
		{"flag", "", 1 << 30, 1 << 30, "--memory-limit", false, false},
		{"flag over GOMEMLIMIT", "700MiB", 1 << 30, 1 << 30, "--memory-limit", false, true},
		{"GOMEMLIMIT over auto", "700MiB", memoryLimitAuto, prev, "GOMEMLIMIT", true, false},
		{"off", "", memoryLimitOff, memoryLimitOff, "--memory-limit", false, false},
	} {
		limit, source, keep, overridden := memoryLimitFor(memoryLimit{tc.flag}, tc.gomemlimit, 2)
		if limit != tc.limit || source != tc.source || keep != tc.keep || overridden != tc.overridden {
			t.Errorf("%s: %d from %s (keep %v, overridden %v); want %d from %s (keep %v, overridden %v)",
				tc.name, limit, source, keep, overridden, tc.limit, tc.source, tc.keep, tc.overridden)
		}
	}
}

// TestServeCapacityFlags: serve applies --memory-limit to the runtime and
// logs where the limit came from, and runs --hash-concurrency hashes at once.
func TestServeCapacityFlags(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	t.Setenv("GOMEMLIMIT", "")
	s := startOps(t, t.TempDir(), "--memory-limit", "3GiB", "--hash-concurrency", "3", "--metrics-addr", "127.0.0.1:0")
	if got := debug.SetMemoryLimit(-1); got != 3<<30 {
		t.Errorf("memory limit %d, want 3GiB", got)
	}
	if log := s.stderr.String(); !strings.Contains(log, `hash_concurrency=3 memory_limit=3GiB memory_limit_source=--memory-limit`) {
		t.Errorf("the listening line does not give the capacity:\n%s", log)
	}
	series, _ := scrape(t, s.metrics)
	if series["genauth_password_hash_slots"] != 3 || series["genauth_db_available"] != 1 {
		t.Errorf("genauth_password_hash_slots %v, genauth_db_available %v; want 3 and 1",
			series["genauth_password_hash_slots"], series["genauth_db_available"])
	}
}
