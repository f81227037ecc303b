package zh

import (
	"testing"

	"github.com/opengenauth/genauth/e2e/browser/testenv"
)

// TestAccessibilityChinese runs tests/a11y.test.mjs of e2e/browser in
// Simplified Chinese (e2e/browser/a11y runs English).
func TestAccessibilityChinese(t *testing.T) {
	t.Setenv("GENAUTH_A11Y_LANGS", "zh-CN")
	testenv.Run(t, "../..", "a11y.test.mjs", func(string) bool { return true })
}
