package blackbox

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/opengenauth/genauth/internal/wire"
)

// TokenResponse and Introspection are the server's own wire types: tests
// decode what the SDK decodes.
type (
	TokenResponse = wire.TokenResponse
	Introspection = wire.Introspection
)

// Get fetches u and returns the status and the body; a failed request fails
// the test.
func Get(t testing.TB, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// Field returns the value after "key:" on the first of lines that has it,
// as `genauth serve` prints the demo application's app_id and app_secret.
func Field(lines []string, key string) string {
	for _, l := range lines {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// LockedBuffer collects what a server's goroutines write to its log.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
