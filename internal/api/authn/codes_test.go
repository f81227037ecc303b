package authn_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

func TestVerificationCodes(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) { testVerificationCodes(t, b) })
	}
}

func testVerificationCodes(t *testing.T, b testserver.Backend) {
	s := b.Start(t)
	in := s.StartInbox(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	u, err := s.Users.Create(t.Context(), users.CreateParams{Username: "carol", Email: "Carol@Example.com",
		Phone: "+8613800000001", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"x-authing-app-id": app.ID}
	post := func(name, body string) answer {
		return call(t, http.MethodPost, s.URL+"/api/v3/"+name, hdr, body)
	}
	scrub := golden.Scrub{Strs: map[string]string{app.ID: "appId", u.ID: "userId"},
		Keys: map[string]string{"requestId": `[^"]+`, "access_token": `[^"]+`, "id_token": `[^"]+`}}
	want := func(what string, a answer, status, apiCode int, goldenName string) {
		t.Helper()
		expect(t, b, scrub, what, a, status, apiCode, goldenName)
	}
	signin := func(payload string) string {
		return `{"connection":"PASSCODE","passCodePayload":` + payload + `,"client_id":"` + app.ID + `","client_secret":"` + secret + `"}`
	}
	email := `{"channel":"CHANNEL_LOGIN","email":"carol@example.com"}`

	// Input first: a channel not for the endpoint, an unknown one, a bad address.
	want("sms channel by email", post("send-email", `{"channel":"CHANNEL_BIND_PHONE","email":"carol@example.com"}`), 400, 0, "send-email-sms-channel")
	want("email channel by sms", post("send-sms", `{"channel":"CHANNEL_BIND_EMAIL","phoneNumber":"13800000001"}`), 400, 0, "send-sms-email-channel")
	want("unknown channel", post("send-email", `{"channel":"CHANNEL_NOPE","email":"carol@example.com"}`), 400, 0, "")
	want("bad email", post("send-email", `{"channel":"CHANNEL_LOGIN","email":"carol"}`), 400, 0, "send-email-bad-address")
	want("bad phone", post("send-sms", `{"channel":"CHANNEL_LOGIN","phoneNumber":"12ab"}`), 400, 0, "")
	want("no app", call(t, http.MethodPost, s.URL+"/api/v3/send-email", nil, email), 400, 0, "")

	// Email: the code arrives over SMTP; the second send within the minute is refused.
	want("send-email", post("send-email", email), 200, 0, "send-email")
	want("send-email again", post("send-email", email), 429, 0, "send-email-throttled")
	code := in.Deliver(t)["carol@example.com"]
	if len(code) != 6 {
		t.Fatalf("no code arrived for carol@example.com")
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	check := func(c string) string {
		return `{"codeType":"EMAIL","emailCodePayload":{"email":"carol@example.com","passCode":"` + c + `","channel":"CHANNEL_LOGIN"}}`
	}
	want("pre-check right", post("pre-check-code", check(code)), 200, 0, "pre-check-code-valid")
	want("pre-check wrong", post("pre-check-code", check(wrong)), 200, 0, "pre-check-code-invalid")
	want("pre-check bad type", post("pre-check-code", `{"codeType":"FAX"}`), 400, 0, "")
	want("signin wrong code", post("signin", signin(`{"email":"carol@example.com","passCode":"`+wrong+`"}`)), 403, 2001, "signin-passcode-wrong")
	want("signin", post("signin", signin(`{"email":"CAROL@example.com","passCode":"`+code+`"}`)), 200, 0, "signin-passcode")
	want("signin with a used code", post("signin", signin(`{"email":"carol@example.com","passCode":"`+code+`"}`)), 403, 2001, "")

	// An unknown address: the same answer, nothing sent, and its sign-in fails like a wrong code.
	want("send-email unknown", post("send-email", `{"channel":"CHANNEL_LOGIN","email":"nobody@example.com"}`), 200, 0, "")
	want("send-sms unknown", post("send-sms", `{"channel":"CHANNEL_RESET_PASSWORD","phoneNumber":"13900000000","phoneCountryCode":"+86"}`), 200, 0, "")
	if got := in.Deliver(t); len(got) != 0 {
		t.Fatalf("codes sent to unknown addresses: %v", got)
	}
	want("signin unknown", post("signin", signin(`{"email":"nobody@example.com","passCode":"123456"}`)), 403, 2001, "")

	// SMS: the phone with its country code apart; the code arrives at the webhook; it expires.
	want("send-sms", post("send-sms", `{"channel":"CHANNEL_LOGIN","phoneNumber":"13800000001","phoneCountryCode":"+86"}`), 200, 0, "send-sms")
	code = in.Deliver(t)["+8613800000001"]
	if len(code) != 6 {
		t.Fatal("no code arrived at the webhook")
	}
	s.Clock.Advance(passcode.Lifetime)
	want("signin expired", post("signin", signin(`{"phone":"13800000001","phoneCountryCode":"+86","passCode":"`+code+`"}`)), 403, 2300, "signin-passcode-expired")
	want("send-sms after the minute", post("send-sms", `{"channel":"CHANNEL_LOGIN","phoneNumber":"+8613800000001"}`), 200, 0, "")
	code = in.Deliver(t)["+8613800000001"]
	// The same digits under another country code are another destination.
	want("signin other country", post("signin", signin(`{"phone":"13800000001","phoneCountryCode":"+1","passCode":"`+code+`"}`)), 403, 2001, "")
	a := post("signin", signin(`{"phone":"13800000001","phoneCountryCode":"+86","passCode":"`+code+`"}`))
	want("signin by phone", a, 200, 0, "")
	var set struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(a.Data, &set); err != nil || set.AccessToken == "" {
		t.Fatalf("no access token: %s", a.raw)
	}
}

func TestCodesWithoutDelivery(t *testing.T) {
	s := testserver.StartWith(t, testserver.Options{Delivers: map[string]bool{}})
	app, _ := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	hdr := map[string]string{"x-authing-app-id": app.ID}
	scrub := golden.Scrub{Keys: map[string]string{"requestId": `[^"]+`}}
	for _, tc := range []struct{ name, endpoint, body string }{
		{"send-email-not-configured", "send-email", `{"channel":"CHANNEL_LOGIN","email":"a@example.com"}`},
		{"send-sms-not-configured", "send-sms", `{"channel":"CHANNEL_LOGIN","phoneNumber":"13800000000"}`},
	} {
		a := call(t, http.MethodPost, s.URL+"/api/v3/"+tc.endpoint, hdr, tc.body)
		if a.StatusCode != 501 {
			t.Fatalf("%s: %s", tc.name, a.raw)
		}
		golden.Check(t, tc.name, a.raw, scrub)
	}
}

// TestPasscodeSignInRules: a code sign-in follows the password sign-in's
// rules: failures are audited and lock the account, a success is audited
// and written to the login history.
func TestPasscodeSignInRules(t *testing.T) {
	s := testserver.Start(t)
	in := s.StartInbox(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	u, err := s.Users.Create(t.Context(), users.CreateParams{Username: "dave", Email: "dave@example.com", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"x-authing-app-id": app.ID}
	signin := func(code string) answer {
		return call(t, http.MethodPost, s.URL+"/api/v3/signin", hdr, `{"connection":"PASSCODE","passCodePayload":{"email":"dave@example.com","passCode":"`+
			code+`"},"client_id":"`+app.ID+`","client_secret":"`+secret+`"}`)
	}
	if a := call(t, http.MethodPost, s.URL+"/api/v3/send-email", hdr, `{"channel":"CHANNEL_LOGIN","email":"dave@example.com"}`); a.StatusCode != 200 {
		t.Fatal(string(a.raw))
	}
	code := in.Deliver(t)["dave@example.com"]
	a := signin(code)
	if a.StatusCode != 200 {
		t.Fatalf("sign-in: %s", a.raw)
	}
	// The id token says how: a one-time code (RFC 8176 "otp").
	var set struct {
		IDToken string `json:"id_token"`
	}
	if err := json.Unmarshal(a.Data, &set); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(set.IDToken, ".")
	var claims struct{ AMR []string }
	if b, err := base64.RawURLEncoding.DecodeString(parts[min(1, len(parts)-1)]); err != nil || json.Unmarshal(b, &claims) != nil ||
		!slices.Equal(claims.AMR, []string{"otp"}) {
		t.Errorf("id token amr = %v (%v); want [otp]", claims.AMR, err)
	}
	logins, _, err := s.Store.ListLogins(t.Context(), store.LoginQuery{UserID: u.ID, Limit: 10})
	if err != nil || len(logins) != 1 || logins[0].AppID != app.ID {
		t.Fatalf("login history = %v, %v; want one login to the app", logins, err)
	}
	// The lockout after 5 failures (throttle.DefaultPolicy), then the pause.
	for i := range 4 {
		if a := signin(code); a.StatusCode != 403 || a.APICode != 2001 {
			t.Fatalf("failure %d: %s", i+1, a.raw)
		}
	}
	if a := signin(code); a.StatusCode != 403 || a.APICode != 2005 {
		t.Fatalf("fifth failure: %s", a.raw)
	}
	if a := signin(code); a.StatusCode != 429 {
		t.Fatalf("while locked: %s", a.raw)
	}
	for typ, n := range map[string]int{model.AuditLoginSuccess: 1, model.AuditLoginFailure: 5, model.AuditLoginLockout: 1} {
		events, err := s.Store.ListAuditEvents(t.Context(), store.AuditQuery{Type: typ, UserID: u.ID})
		if err != nil || len(events) != n {
			t.Errorf("%s events = %d (%v), want %d", typ, len(events), err, n)
		}
	}
}
