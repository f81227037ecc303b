package a11y

import (
	"testing"

	"github.com/opengenauth/genauth/e2e/browser/testenv"
)

// TestAccessibility runs tests/a11y.test.mjs of e2e/browser in English: its
// own package, so that it has go test's ten minutes apart from the flows;
// the Chinese pages are e2e/browser/a11y/zh's, for the same reason.
func TestAccessibility(t *testing.T) {
	t.Setenv("GENAUTH_A11Y_LANGS", "en")
	testenv.Run(t, "..", "a11y.test.mjs", func(string) bool { return true })
}
