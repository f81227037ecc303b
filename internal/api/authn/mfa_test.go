package authn_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

func TestMFASignIn(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) { testMFASignIn(t, b) })
	}
}

// mfaData is what the tests read of an MFA answer's data.
type mfaData struct {
	MFAToken    string `json:"mfaToken"`
	MFAPhone    string `json:"mfaPhone"`
	Verified    bool   `json:"verified"`
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
}

func testMFASignIn(t *testing.T, b testserver.Backend) {
	s := b.Start(t)
	in := s.StartInbox(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	u := s.CreateUser(t, "bob", "correct horse battery")
	ctx := t.Context()
	hdr := func(auth string) map[string]string {
		return map[string]string{"x-authing-app-id": app.ID, "Authorization": auth}
	}
	post := func(name, auth, body string) answer {
		return call(t, http.MethodPost, s.URL+"/api/v3/"+name, hdr(auth), body)
	}
	scrub := golden.Scrub{Strs: map[string]string{app.ID: "appId", u.ID: "userId"},
		Keys: map[string]string{"requestId": `[^"]+`, "mfaToken": `[^"]+`, "access_token": `[^"]+`, "id_token": `[^"]+`}}
	want := func(what string, a answer, status, apiCode int, goldenName string) mfaData {
		t.Helper()
		expect(t, b, scrub, what, a, status, apiCode, goldenName)
		var d mfaData
		if len(a.Data) > 0 {
			if err := json.Unmarshal(a.Data, &d); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		return d
	}
	signin := `{"connection":"PASSWORD","passwordPayload":{"username":"bob","password":"correct horse battery"},"client_id":"` +
		app.ID + `","client_secret":"` + secret + `","options":{"scope":"openid profile"}}`
	amr := func(idToken string) []string { return idAMR(t, idToken) }

	// No factor, no policy: tokens at once.
	if d := want("signin without a factor", post("signin", "", signin), 200, 0, ""); d.AccessToken == "" {
		t.Fatal("no tokens")
	}
	setup, err := s.MFA.NewTOTP("bob")
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		t.Helper()
		c, err := totp.GenerateCode(setup.Secret, s.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	wrongOf := func(c string) string {
		if c == "000000" {
			return "111111"
		}
		return "000000"
	}
	if _, err := s.MFA.EnrollTOTP(ctx, u.ID, setup.Secret, code()); err != nil {
		t.Fatal(err)
	}
	recovery, err := s.MFA.NewRecoveryCodes(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.Clock.Advance(mfa.Period)

	// With a factor: no tokens, an mfaToken.
	d := want("signin with a factor", post("signin", "", signin), 403, 1636, "signin-mfa-required")
	if d.MFAToken == "" || d.AccessToken != "" {
		t.Fatalf("want an mfaToken and no tokens: %+v", d)
	}
	mfaToken := d.MFAToken
	want("totp missing", post("mfa-totp-verify", mfaToken, `{}`), 400, 6003, "mfa-totp-verify-missing")
	if d := want("totp wrong", post("mfa-totp-verify", mfaToken, `{"totp":"`+wrongOf(code())+`"}`), 200, 0, "mfa-totp-verify-wrong"); d.Verified {
		t.Fatal("a wrong code verified")
	}
	want("no token", post("mfa-totp-verify", "", `{"totp":"123456"}`), 401, 2020, "")
	want("bad token", post("mfa-totp-verify", "Bearer nope", `{"totp":"123456"}`), 401, 2020, "")
	right := code()
	d = want("totp right", post("mfa-totp-verify", "Bearer "+mfaToken, `{"totp":"`+right+`"}`), 200, 0, "mfa-totp-verify-signin")
	if !d.Verified || d.AccessToken == "" {
		t.Fatalf("no tokens: %+v", d)
	}
	if got := amr(d.IDToken); !slices.Equal(got, []string{"otp", "pwd", "mfa"}) {
		t.Fatalf("amr %v", got)
	}
	access := d.AccessToken
	// The mfaToken is single use; the code is never accepted twice.
	want("mfaToken again", post("mfa-totp-verify", mfaToken, `{"totp":"`+right+`"}`), 401, 2020, "")
	if d := want("replay", post("mfa-totp-verify", access, `{"totp":"`+right+`"}`), 200, 0, ""); d.Verified {
		t.Fatal("a TOTP code was accepted twice")
	}
	// With an access token: verify only.
	s.Clock.Advance(mfa.Period)
	d = want("totp with an access token", post("mfa-totp-verify", access, `{"totp":"`+code()+`"}`), 200, 0, "mfa-totp-verify-token")
	if !d.Verified || d.AccessToken != "" {
		t.Fatalf("%+v", d)
	}

	// A recovery code finishes a sign-in once.
	mfaToken = want("signin for recovery", post("signin", "", signin), 403, 1636, "").MFAToken
	want("recovery missing", post("mfa-recovery-code-verify", mfaToken, `{}`), 400, 6004, "")
	d = want("recovery", post("mfa-recovery-code-verify", mfaToken, `{"recoveryCode":"`+strings.ToUpper(recovery[0])+`"}`), 200, 0, "mfa-recovery-code-verify-signin")
	if got := amr(d.IDToken); !d.Verified || !slices.Equal(got, []string{"otp", "pwd", "mfa"}) {
		t.Fatalf("%+v amr %v", d, got)
	}
	mfaToken = want("signin for a used recovery code", post("signin", "", signin), 403, 1636, "").MFAToken
	if d := want("recovery used", post("mfa-recovery-code-verify", mfaToken, `{"recoveryCode":"`+recovery[0]+`"}`), 200, 0, ""); d.Verified {
		t.Fatal("a recovery code was used twice")
	}

	// SMS: the challenge code goes to the factor's number only.
	if err := s.Store.CreateFactor(ctx, &model.Factor{ID: "sms-factor", UserID: u.ID, Type: model.FactorSMS, Address: "+8613800000002", Sealed: []byte{},
		CreatedAt: s.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	d = want("signin with sms", post("signin", "", signin), 403, 1636, "signin-mfa-required-sms")
	if d.MFAPhone != "861xxxxxx0002" {
		t.Fatalf("mfaPhone %q", d.MFAPhone)
	}
	mfaToken = d.MFAToken
	want("send to another number", post("send-sms", mfaToken, `{"channel":"CHANNEL_VERIFY_MFA","phoneNumber":"13800000009","phoneCountryCode":"+86"}`), 400, 0, "send-sms-verify-mfa-other")
	want("send without a token", post("send-sms", "", `{"channel":"CHANNEL_VERIFY_MFA","phoneNumber":"13800000002","phoneCountryCode":"+86"}`), 401, 2020, "")
	want("send", post("send-sms", mfaToken, `{"channel":"CHANNEL_VERIFY_MFA","phoneNumber":"13800000002","phoneCountryCode":"+86"}`), 200, 0, "")
	sent := in.Deliver(t)
	if len(sent) != 1 || len(sent["+8613800000002"]) != 6 {
		t.Fatalf("sent %v", sent)
	}
	want("sms wrong", post("mfa-sms-verify", mfaToken, `{"passCode":"`+wrongOf(sent["+8613800000002"])+`"}`), 200, 0, "")
	d = want("sms", post("mfa-sms-verify", mfaToken, `{"passCode":"`+sent["+8613800000002"]+`"}`), 200, 0, "mfa-sms-verify-signin")
	if got := amr(d.IDToken); !slices.Equal(got, []string{"pwd", "sms", "mfa"}) {
		t.Fatalf("amr %v", got)
	}
	mfaToken = want("signin for email", post("signin", "", signin), 403, 1636, "").MFAToken
	want("email factor missing", post("mfa-email-verify", mfaToken, `{"passCode":"123456"}`), 400, 0, "mfa-email-verify-no-factor")

	// Wrong codes count toward the sign-in lockout: then even the right one is refused.
	locked := false
	for range 10 {
		a := post("mfa-totp-verify", mfaToken, `{"totp":"`+wrongOf(code())+`"}`)
		if a.StatusCode == 403 && a.APICode == 2005 {
			locked = true
			break
		}
	}
	if !locked {
		t.Fatal("wrong TOTP codes never locked the account")
	}
	s.Clock.Advance(mfa.Period)
	want("right code while locked", post("mfa-totp-verify", mfaToken, `{"totp":"`+code()+`"}`), 429, 0, "")
	want("password while locked", post("signin", "", signin), 429, 0, "")

	// A pool that requires MFA: a user without a factor gets no tokens either.
	s.CreateUser(t, "carl", "correct horse battery")
	carl := strings.Replace(signin, `"bob"`, `"carl"`, 1)
	want("carl, MFA off", post("signin", "", carl), 200, 0, "")
	if err := s.MFA.SetPoolPolicy(ctx, model.MFARequired); err != nil {
		t.Fatal(err)
	}
	if d := want("carl, MFA required", post("signin", "", carl), 403, 1636, "signin-mfa-enroll"); d.MFAToken == "" || d.AccessToken != "" {
		t.Fatalf("%+v", d)
	}
}

// idAMR is the amr claim of an id token, read without checking it.
func idAMR(t *testing.T, idToken string) []string {
	t.Helper()
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", idToken)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ AMR []string }
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c.AMR
}

func TestMFATokenIntrospection(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) { testMFATokenIntrospection(t, b) })
	}
}

// testMFATokenIntrospection: POST /mfa/token/introspection (contract 6.3)
// says a live mfaToken is active and whose it is, and anything else, a used
// token included, is not.
func testMFATokenIntrospection(t *testing.T, b testserver.Backend) {
	s := b.Start(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	u := s.CreateUser(t, "bob", "correct horse battery")
	setup, err := s.MFA.NewTOTP("bob")
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		c, err := totp.GenerateCode(setup.Secret, s.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := s.MFA.EnrollTOTP(t.Context(), u.ID, setup.Secret, code()); err != nil {
		t.Fatal(err)
	}
	s.Clock.Advance(mfa.Period)
	issued := s.Clock.Now().Unix()
	signin := `{"connection":"PASSWORD","passwordPayload":{"username":"bob","password":"correct horse battery"},"client_id":"` +
		app.ID + `","client_secret":"` + secret + `"}`
	a := call(t, http.MethodPost, s.URL+"/api/v3/signin", map[string]string{"x-authing-app-id": app.ID}, signin)
	var d mfaData
	if err := json.Unmarshal(a.Data, &d); err != nil || d.MFAToken == "" {
		t.Fatalf("signin: %s", a.raw)
	}
	scrub := golden.Scrub{Strs: map[string]string{u.ID: "userId"}, Ints: map[int64]string{issued: "iat", issued + 600: "exp"}}
	introspect := func(what string, form url.Values, status int, goldenName string) []byte {
		t.Helper()
		resp, err := http.PostForm(s.URL+"/mfa/token/introspection", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != status || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: status %d, Cache-Control %q: %s", what, resp.StatusCode, resp.Header.Get("Cache-Control"), body)
		}
		if b.Name == "sqlite" {
			golden.Check(t, goldenName, body, scrub)
		}
		return body
	}
	introspect("a live mfaToken", url.Values{"token": {d.MFAToken}}, 200, "mfa-token-introspection-active")
	introspect("no token", url.Values{}, 200, "mfa-token-introspection-inactive")
	introspect("a forged token", url.Values{"token": {"nope"}}, 200, "mfa-token-introspection-inactive")
	introspect("an access token", url.Values{"token": {"Bearer " + d.MFAToken}}, 200, "mfa-token-introspection-inactive")
	a = call(t, http.MethodPost, s.URL+"/api/v3/mfa-totp-verify", map[string]string{"x-authing-app-id": app.ID, "Authorization": d.MFAToken},
		`{"totp":"`+code()+`"}`)
	if a.StatusCode != 200 {
		t.Fatalf("verify: %s", a.raw)
	}
	introspect("a used mfaToken", url.Values{"token": {d.MFAToken}}, 200, "mfa-token-introspection-inactive")
	d.MFAToken = ""
	a = call(t, http.MethodPost, s.URL+"/api/v3/signin", map[string]string{"x-authing-app-id": app.ID}, signin)
	if err := json.Unmarshal(a.Data, &d); err != nil || d.MFAToken == "" {
		t.Fatalf("signin again: %s", a.raw)
	}
	s.Clock.Advance(mfa.PendingLifetime + time.Second)
	introspect("an expired mfaToken", url.Values{"token": {d.MFAToken}}, 200, "mfa-token-introspection-inactive")
}
