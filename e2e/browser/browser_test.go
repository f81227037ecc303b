package browser

import (
	"strings"
	"testing"

	"github.com/opengenauth/genauth/e2e/browser/testenv"
)

// TestBrowser runs the Node tests of the hosted pages in Chromium (every
// tests/*.test.mjs but the SDK tests, which e2e/browser/sdk runs, the
// accessibility test, which e2e/browser/a11y runs, and the console's, which
// e2e/browser/console runs) against a GenAuth server started here.
func TestBrowser(t *testing.T) {
	testenv.Run(t, ".", "*.test.mjs", func(f string) bool {
		return !strings.HasSuffix(f, "-sdk.test.mjs") && f != "a11y.test.mjs" && !strings.HasPrefix(f, "console-")
	})
}
