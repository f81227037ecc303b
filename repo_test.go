package genauth_test

import (
	"os"
	"strings"
	"testing"
)

// TestCIRunCannotSkip: .ci/run sets CI=true itself before any test runs, so
// that a manual run of it cannot quietly skip PostgreSQL or the browser.
func TestCIRunCannotSkip(t *testing.T) {
	b, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	exported, tested := -1, -1
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "export CI=true" && exported < 0:
			exported = i
		case strings.HasPrefix(line, "go test") && tested < 0:
			tested = i
		}
	}
	if tested < 0 {
		t.Fatal(".ci/run runs no go test")
	}
	if exported < 0 || exported > tested {
		t.Errorf(".ci/run must `export CI=true` before its `go test` line (export at line %d, go test at line %d)", exported+1, tested+1)
	}
}
