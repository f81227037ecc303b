package a11y

import (
	"testing"

	"github.com/opengenauth/genauth/e2e/browser/testenv"
)

// TestAccessibility runs tests/a11y.test.mjs of e2e/browser: its own
// package, so that it has go test's ten minutes apart from the flows, which
// the MFA pages (issue 16) took the page tests past under load.
func TestAccessibility(t *testing.T) {
	testenv.Run(t, "..", "a11y.test.mjs", func(string) bool { return true })
}
