package console

import (
	"strings"
	"testing"

	"github.com/opengenauth/genauth/e2e/browser/testenv"
)

// TestConsole runs tests/console-*.test.mjs.
func TestConsole(t *testing.T) {
	testenv.Run(t, "..", "console-*.test.mjs", func(f string) bool { return strings.HasPrefix(f, "console-") })
}
