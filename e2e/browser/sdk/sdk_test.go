package sdk

import (
	"testing"

	"github.com/opengenauth/genauth/e2e/browser/testenv"
)

// TestNodeSDK runs the tests of GenAuth's Node SDK (tests/*-sdk.test.mjs of
// e2e/browser) against a GenAuth server started here: its own package, so
// that it has go test's ten minutes apart from the page tests.
func TestNodeSDK(t *testing.T) {
	testenv.Run(t, "..", "*-sdk.test.mjs", func(string) bool { return true })
}
