package wire_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/opengenauth/genauth/internal/wire"
)

// TestAuthnGoldenRoundTrip decodes the data of the authentication API's
// account and sign-up answers, as their golden files pin them, into the
// wire types the SDK reads, and encodes it again: the two must be the same
// JSON value.
func TestAuthnGoldenRoundTrip(t *testing.T) {
	for name, through := range map[string]roundTrip{
		"get-security-info.json":                    through[wire.SecurityInfo](),
		"get-my-login-history.json":                 through[wire.LoginHistory](),
		"get-my-login-history-failures.json":        through[wire.LoginHistory](),
		"get-my-logged-in-apps.json":                through[[]wire.AppEntry](),
		"get-my-accessible-apps.json":               through[[]wire.AppEntry](),
		"update-profile.json":                       through[wire.User](),
		"signup-username.json":                      through[wire.User](),
		"signup-email.json":                         through[wire.User](),
		"signup-username-where-email-verified.json": through[wire.User](),
		"signup-passcode-email.json":                through[wire.User](),
		"signup-passcode-phone.json":                through[wire.User](),
		"signup-completion.json":                    through[wire.User](),
		"verify-update-email-request.json":          through[wire.UpdateEmailGrant](),
		"verify-update-phone-request.json":          through[wire.UpdatePhoneGrant](),
		"verify-delete-account-request.json":        through[wire.DeleteAccountGrant](),
		"update-email.json":                         through[wire.Success](),
		"update-phone.json":                         through[wire.Success](),
		"delete-account.json":                       through[wire.Success](),
		"check-app-id-secret-right.json":            through[wire.Validity](),
		"check-app-id-secret-wrong.json":            through[wire.Validity](),
		"validate-password-right.json":              through[wire.Validity](),
		"validate-password-wrong.json":              through[wire.Validity](),
		"reset-password.json":                       through[wire.Success](),
		"pre-check-code-valid.json":                 through[wire.CodeCheck](),
		"pre-check-code-invalid.json":               through[wire.CodeCheck](),
		"get-application-enabled-extidps.json":      through[[]wire.ExtIdpEntry](),
		"get-identities.json":                       through[[]wire.Identity](),
	} {
		t.Run(name, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join("../api/authn/testdata/golden", name))
			if err != nil {
				t.Fatal(err)
			}
			var env struct {
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(fill(golden), &env); err != nil || len(env.Data) == 0 {
				t.Fatalf("no data in %s (%v)", golden, err)
			}
			encoded, err := through(env.Data)
			if err != nil {
				t.Fatalf("decoding %s: %v", env.Data, err)
			}
			if d := cmp.Diff(value(t, env.Data), value(t, encoded)); d != "" {
				t.Errorf("decoded and encoded again, the data differs (-golden +wire):\n%s", d)
			}
		})
	}
}

// TestSystemGoldenRoundTrip is TestAuthnGoldenRoundTrip for GET system,
// whose answer has no envelope.
func TestSystemGoldenRoundTrip(t *testing.T) {
	golden, err := os.ReadFile("../api/authn/testdata/golden/system.json")
	if err != nil {
		t.Fatal(err)
	}
	body := fill(golden)
	encoded, err := through[wire.SystemInfo]()(body)
	if err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	if d := cmp.Diff(value(t, body), value(t, encoded)); d != "" {
		t.Errorf("decoded and encoded again, the answer differs (-golden +wire):\n%s", d)
	}
}
