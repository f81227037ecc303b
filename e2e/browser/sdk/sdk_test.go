package sdk

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/e2e/browser/testenv"
	"github.com/opengenauth/genauth/internal/testkit/slapdtest"
)

// TestNodeSDK runs the tests of GenAuth's Node SDK (tests/*-sdk.test.mjs of
// e2e/browser) against a GenAuth server started here: its own package, so
// that it has go test's ten minutes apart from the page tests. A slapd
// started here, handed over in GENAUTH_LDAP, is the directory of the LDAP
// sign-in; without one (not under CI=true) that test alone is skipped.
func TestNodeSDK(t *testing.T) {
	if missing := slapdtest.Missing(); len(missing) == 0 || os.Getenv("CI") == "true" {
		dir := slapdtest.Start(t, slapdtest.Options{})
		ldap, err := json.Marshal(map[string]string{"url": dir.URL, "bind_dn": dir.BindDN, "bind_password": dir.BindPassword,
			"base_dn": slapdtest.PeopleDN, "user": slapdtest.Alice.UID, "password": slapdtest.Alice.Password})
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("GENAUTH_LDAP", string(ldap))
	} else {
		t.Logf("no slapd (missing %s): the Node SDK's LDAP sign-in is skipped", strings.Join(missing, ", "))
	}
	testenv.Run(t, "..", "*-sdk.test.mjs", func(string) bool { return true })
}
