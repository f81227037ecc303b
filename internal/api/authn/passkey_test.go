package authn_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
	"github.com/opengenauth/genauth/internal/testkit/webauthntest"
)

func TestPasskeys(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) { testPasskeys(t, b) })
	}
}

// passkeyData is what the tests read of a passkey answer's data.
type passkeyData struct {
	Ticket                string          `json:"ticket"`
	RegistrationOptions   json.RawMessage `json:"registrationOptions"`
	AuthenticationOptions json.RawMessage `json:"authenticationOptions"`
	Verified              bool            `json:"verified"`
	MFAToken              string          `json:"mfaToken"`
	TokenSet              *struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
	} `json:"tokenSet"`
	// Flat, as mfa-totp-verify and signin answer.
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
}

func testPasskeys(t *testing.T, b testserver.Backend) {
	s := b.StartWith(t, testserver.Options{Localhost: true})
	ctx := t.Context()
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	ada := s.CreateUser(t, "ada", "correct horse battery")
	bob := s.CreateUser(t, "bob", "correct horse battery")
	scrub := golden.Scrub{
		Strs: map[string]string{app.ID: "appId", ada.ID: "userId", base64.RawURLEncoding.EncodeToString([]byte(ada.ID)): "userHandle"},
		Keys: map[string]string{"requestId": `[^"]+`, "ticket": `[^"]+`, "challenge": `[^"]+`, "mfaToken": `[^"]+`,
			"access_token": `[^"]+`, "id_token": `[^"]+`, "factorId": `[^"]+`, "credentialId": `[^"]+`, "id": `[A-Za-z0-9_-]{43}`}}
	req := func(method, name, auth, body string) answer {
		return call(t, method, s.URL+"/api/v3/"+name, map[string]string{"x-authing-app-id": app.ID, "Authorization": auth}, body)
	}
	want := func(what string, a answer, status, apiCode int, goldenName string) passkeyData {
		t.Helper()
		expect(t, b, scrub, what, a, status, apiCode, goldenName)
		var d passkeyData
		if len(a.Data) > 0 {
			if err := json.Unmarshal(a.Data, &d); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		return d
	}
	signin := func(user string) answer {
		return req(http.MethodPost, "signin", "", `{"connection":"PASSWORD","passwordPayload":{"username":"`+user+
			`","password":"correct horse battery"},"client_id":"`+app.ID+`","client_secret":"`+secret+`"}`)
	}
	credBody := func(field, ticket string, cred []byte, extra string) string {
		return `{"ticket":"` + ticket + `","` + field + `":` + string(cred) + extra + `}`
	}
	// register enrolls a passkey made by a for the holder of token.
	register := func(a *webauthntest.Authenticator, token, name, goldenName string) {
		t.Helper()
		d := want("registration options", req(http.MethodGet, "webauthn/registration", token, ""), 200, 0, goldenName)
		cred, err := a.Create(d.RegistrationOptions, s.URL)
		if err != nil {
			t.Fatal(err)
		}
		verifyGolden := ""
		if goldenName != "" {
			verifyGolden = goldenName + "-verify"
		}
		if d := want("registration", req(http.MethodPost, "webauthn/registration", token,
			credBody("registrationCredential", d.Ticket, cred, `,"authenticatorCode":"fingerprint","name":"`+name+`"`)), 200, 0, verifyGolden); !d.Verified {
			t.Fatal("a registration was refused")
		}
	}
	// login answers GET webauthn/authentication (with auth) with a, sends
	// the assertion with auth, and returns the answer.
	login := func(a *webauthntest.Authenticator, auth string, tamper func([]byte) []byte) answer {
		t.Helper()
		d := want("authentication options", req(http.MethodGet, "webauthn/authentication", auth, ""), 200, 0, "")
		assertion, err := a.Get(d.AuthenticationOptions, s.URL)
		if err != nil {
			t.Fatal(err)
		}
		if tamper != nil {
			assertion = tamper(assertion)
		}
		return req(http.MethodPost, "webauthn/authentication", auth, credBody("authenticationCredential", d.Ticket, assertion,
			`,"client_id":"`+app.ID+`","client_secret":"`+secret+`","options":{"scope":"openid profile"}`))
	}
	badSignature := func(assertion []byte) []byte {
		var m map[string]any
		_ = json.Unmarshal(assertion, &m)
		r := m["response"].(map[string]any)
		sig, _ := base64.RawURLEncoding.DecodeString(r["signature"].(string))
		sig[len(sig)-1] ^= 1
		r["signature"] = base64.RawURLEncoding.EncodeToString(sig)
		out, _ := json.Marshal(m)
		return out
	}

	adaToken := want("ada signs in", signin("ada"), 200, 0, "").AccessToken
	want("registration without a token", req(http.MethodGet, "webauthn/registration", "", ""), 401, 2020, "")
	phone := webauthntest.New()
	register(phone, adaToken, "Ada's phone", "webauthn-registration")

	// The same authenticator is excluded; a used ticket verifies nothing.
	d := want("registration options again", req(http.MethodGet, "webauthn/registration", adaToken, ""), 200, 0, "")
	if _, err := phone.Create(d.RegistrationOptions, s.URL); err == nil {
		t.Fatal("the registered authenticator was not excluded")
	}
	laptop := webauthntest.New()
	cred, err := laptop.Create(d.RegistrationOptions, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	want("registration at another origin", req(http.MethodPost, "webauthn/registration", adaToken,
		credBody("registrationCredential", d.Ticket, must(laptop.Create(d.RegistrationOptions, "http://localhost:1")), "")), 200, 0, "webauthn-registration-refused")
	if d := want("registration with a used ticket", req(http.MethodPost, "webauthn/registration", adaToken,
		credBody("registrationCredential", d.Ticket, cred, "")), 200, 0, ""); d.Verified {
		t.Fatal("a used ticket registered a passkey")
	}
	want("registration, bad code", req(http.MethodPost, "webauthn/registration", adaToken,
		credBody("registrationCredential", "t", cred, `,"authenticatorCode":"iris"`)), 400, 0, "webauthn-registration-bad-code")
	want("registration, no credential", req(http.MethodPost, "webauthn/registration", adaToken, `{"ticket":"t"}`), 400, 0, "webauthn-registration-no-credential")

	// The passkey is a factor like the others.
	a := req(http.MethodGet, "list-enrolled-factors", adaToken, "")
	expect(t, b, scrub, "list-enrolled-factors", a, 200, 0, "list-enrolled-factors-webauthn")
	var factors []struct {
		FactorID string `json:"factorId"`
		Profile  struct{ Name, CredentialID string }
	}
	if err := json.Unmarshal(a.Data, &factors); err != nil || len(factors) != 1 || factors[0].Profile.Name != "Ada's phone" ||
		factors[0].Profile.CredentialID != base64.RawURLEncoding.EncodeToString(phone.Credentials()[0].ID) {
		t.Fatalf("factors %s", a.raw)
	}
	want("get-factor", req(http.MethodGet, "get-factor?factorId="+factors[0].FactorID, adaToken, ""), 200, 0, "get-factor-webauthn")

	// Passwordless, with user verification: two factors at once.
	d = want("passwordless options", req(http.MethodGet, "webauthn/authentication", "", ""), 200, 0, "webauthn-authentication")
	d = want("passwordless", login(phone, "", nil), 200, 0, "webauthn-authentication-signin")
	if !d.Verified || d.TokenSet == nil || !slices.Equal(idAMR(t, d.TokenSet.IDToken), []string{"hwk", "user", "mfa"}) {
		t.Fatalf("passwordless %+v", d)
	}
	want("profile with the passkey's token", req(http.MethodGet, "get-profile", d.TokenSet.AccessToken, ""), 200, 0, "")
	events, err := s.Store.ListAuditEvents(ctx, store.AuditQuery{Type: model.AuditLoginSuccess, UserID: ada.ID})
	if err != nil || !slices.ContainsFunc(events, func(e *model.AuditEvent) bool { return e.Detail == "passkey" && e.ClientID == app.ID }) {
		t.Fatalf("no passkey sign-in in the audit trail: %v", err)
	}
	history := req(http.MethodGet, "get-my-login-history", d.TokenSet.AccessToken, "")
	var page struct {
		List []struct{ LoginMethod string } `json:"list"`
	}
	if err := json.Unmarshal(history.Data, &page); err != nil || len(page.List) != 2 || page.List[0].LoginMethod != "passkey" || page.List[1].LoginMethod != "" {
		t.Fatalf("login history %s", history.raw)
	}
	// Node's SDK sends the access token it holds on every call: a sign-in all the same.
	if d := want("passwordless with an access token", login(phone, adaToken, nil), 200, 0, ""); d.TokenSet == nil {
		t.Fatalf("%+v", d)
	}
	want("passwordless, bad signature", login(phone, "", badSignature), 200, 0, "webauthn-authentication-refused")
	want("passwordless without client authentication", req(http.MethodPost, "webauthn/authentication", "",
		credBody("authenticationCredential", "t", cred, "")), 401, 0, "")

	// Without user verification, a passkey is one factor: with a TOTP factor, it follows.
	setup, err := s.MFA.NewTOTP("ada")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(setup.Secret, s.Clock.Now())
	if _, err := s.MFA.EnrollTOTP(ctx, ada.ID, setup.Secret, code); err != nil {
		t.Fatal(err)
	}
	phone.UV = false
	d = want("passwordless, not verified", login(phone, "", nil), 403, 1636, "webauthn-authentication-mfa-required")
	if d.MFAToken == "" || d.TokenSet != nil {
		t.Fatalf("%+v", d)
	}
	// The pending sign-in's passkey options are its user's; another passkey cannot finish it.
	want("a passkey after a passkey", login(phone, d.MFAToken, nil), 400, 0, "")
	s.Clock.Advance(30 * time.Second)
	code, _ = totp.GenerateCode(setup.Secret, s.Clock.Now())
	d = want("totp after the passkey", req(http.MethodPost, "mfa-totp-verify", d.MFAToken, `{"totp":"`+code+`"}`), 200, 0, "")
	if !slices.Equal(idAMR(t, d.IDToken), []string{"hwk", "otp", "mfa"}) {
		t.Fatalf("amr %v", idAMR(t, d.IDToken))
	}
	phone.UV = true

	// The passkey as the second factor of a password sign-in.
	mfaToken := want("password, then MFA", signin("ada"), 403, 1636, "").MFAToken
	want("mfa options", req(http.MethodGet, "webauthn/authentication", mfaToken, ""), 200, 0, "webauthn-authentication-mfa-options")
	bobKey := webauthntest.New()
	register(bobKey, want("bob signs in", signin("bob"), 200, 0, "").AccessToken, "Bob's key", "")
	// bob's passkey, on a discoverable ticket, sent with ada's mfaToken.
	opts := want("discoverable options", req(http.MethodGet, "webauthn/authentication", "", ""), 200, 0, "")
	bobAssertion := must(bobKey.Get(opts.AuthenticationOptions, s.URL))
	if d := want("another user's passkey", req(http.MethodPost, "webauthn/authentication", mfaToken,
		credBody("authenticationCredential", opts.Ticket, bobAssertion, "")), 200, 0, "webauthn-authentication-mfa-refused"); d.Verified || d.TokenSet != nil {
		t.Fatalf("bob's passkey finished ada's sign-in: %+v", d)
	}
	d = want("passkey as second factor", login(phone, mfaToken, nil), 200, 0, "webauthn-authentication-mfa")
	if !d.Verified || d.TokenSet == nil || !slices.Equal(idAMR(t, d.TokenSet.IDToken), []string{"hwk", "pwd", "mfa"}) {
		t.Fatalf("%+v", d)
	}
	// A used mfaToken is no pending sign-in: a passwordless one, without client authentication.
	want("mfaToken used", req(http.MethodPost, "webauthn/authentication", mfaToken,
		credBody("authenticationCredential", "t", bobAssertion, "")), 401, 0, "")

	// A suspended user's passkey signs nobody in.
	status := model.UserSuspended
	if _, err := s.Users.Update(ctx, bob.ID, users.Patch{Status: &status}); err != nil {
		t.Fatal(err)
	}
	want("suspended", login(bobKey, "", nil), 403, 2005, "webauthn-authentication-suspended")

	// Failed checks count toward the lockout.
	locked := false
	for range 10 {
		if a := login(phone, "", badSignature); a.StatusCode == 403 && a.APICode == 2005 {
			locked = true
			break
		}
	}
	if !locked {
		t.Fatal("failed passkeys never locked the account")
	}
	want("right passkey while locked", login(phone, "", nil), 429, 0, "")

	// Enrollment needs a recent sign-in; reset-factor removes a passkey.
	s.Clock.Advance(16 * time.Minute)
	want("not recent", req(http.MethodGet, "webauthn/registration", adaToken, ""), 403, 0, "webauthn-registration-not-recent")

	// A pool that requires MFA: a user without a factor enrolls a passkey
	// with the mfaToken, which ends the sign-in.
	s.CreateUser(t, "carl", "correct horse battery")
	if err := s.MFA.SetPoolPolicy(ctx, model.MFARequired); err != nil {
		t.Fatal(err)
	}
	enroll := want("carl, MFA required", signin("carl"), 403, 1636, "").MFAToken
	d = want("registration options for a pending sign-in", req(http.MethodGet, "webauthn/registration", enroll, ""), 200, 0, "")
	carlKey := webauthntest.New()
	d = want("registration ends the sign-in", req(http.MethodPost, "webauthn/registration", enroll,
		credBody("registrationCredential", d.Ticket, must(carlKey.Create(d.RegistrationOptions, s.URL)), "")), 200, 0, "webauthn-registration-signin")
	if !d.Verified || d.TokenSet == nil || !slices.Equal(idAMR(t, d.TokenSet.IDToken), []string{"hwk", "pwd", "mfa"}) {
		t.Fatalf("%+v", d)
	}
	// A passkey with user verification satisfies the policy alone.
	if d := want("carl, passwordless", login(carlKey, "", nil), 200, 0, ""); d.TokenSet == nil {
		t.Fatalf("%+v", d)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestPasskeysOff: a public URL that is an IP address offers no passkeys.
func TestPasskeysOff(t *testing.T) {
	s := testserver.Start(t)
	app, _ := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	a := call(t, http.MethodGet, s.URL+"/api/v3/webauthn/authentication", map[string]string{"x-authing-app-id": app.ID}, "")
	if a.StatusCode != 501 {
		t.Fatalf("%s", a.raw)
	}
	golden.Check(t, "webauthn-off", a.raw, golden.Scrub{Keys: map[string]string{"requestId": `[^"]+`}})
}

// TestPasskeyBeginLimit: one address may begin only so many passwordless
// ceremonies an hour, since each stores a ticket; a pending sign-in's
// passkey (its user known) is not counted.
func TestPasskeyBeginLimit(t *testing.T) {
	s := testserver.StartWith(t, testserver.Options{Localhost: true})
	app, _ := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	begin := func() answer {
		return call(t, http.MethodGet, s.URL+"/api/v3/webauthn/authentication", map[string]string{"x-authing-app-id": app.ID}, "")
	}
	for i := range throttle.DefaultPolicy.PasskeyBeginsPerAddress {
		if a := begin(); a.StatusCode != http.StatusOK {
			t.Fatalf("begin %d: %s", i+1, a.raw)
		}
	}
	if a := begin(); a.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over the limit: %s", a.raw)
	}
	s.Clock.Advance(throttle.DefaultPolicy.Window)
	if a := begin(); a.StatusCode != http.StatusOK {
		t.Errorf("an hour later: %s", a.raw)
	}
}
