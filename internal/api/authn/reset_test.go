package authn_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

func TestPasswordReset(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) { testPasswordReset(t, b) })
	}
}

func testPasswordReset(t *testing.T, b testserver.Backend) {
	s := b.Start(t)
	in := s.StartInbox(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	u, err := s.Users.Create(t.Context(), users.CreateParams{Username: "erin", Email: "erin@example.com",
		Phone: "+8613800000002", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"x-authing-app-id": app.ID}
	post := func(name, body string) answer {
		return call(t, http.MethodPost, s.URL+"/api/v3/"+name, hdr, body)
	}
	scrub := golden.Scrub{Strs: map[string]string{app.ID: "appId", u.ID: "userId"},
		Keys: map[string]string{"requestId": `[^"]+`, "passwordResetToken": `[^"]+`}}
	want := func(what string, a answer, status, apiCode int, goldenName string) {
		t.Helper()
		expect(t, b, scrub, what, a, status, apiCode, goldenName)
	}
	signIn := func(pw string) answer {
		return post("signin", `{"connection":"PASSWORD","passwordPayload":{"username":"erin","password":"`+pw+`"},"client_id":"`+app.ID+`","client_secret":"`+secret+`"}`)
	}
	verifyEmail := func(email, code string) answer {
		return post("verify-reset-password-request", `{"verifyMethod":"EMAIL_PASSCODE","emailPassCodePayload":{"email":"`+email+`","passCode":"`+code+`"}}`)
	}
	resetWith := func(tok, pw string) answer {
		return post("reset-password", `{"password":"`+pw+`","passwordResetToken":"`+tok+`"}`)
	}
	tokenOf := func(a answer) string {
		t.Helper()
		var data struct {
			PasswordResetToken string `json:"passwordResetToken"`
			TokenExpiresIn     int    `json:"tokenExpiresIn"`
		}
		if err := json.Unmarshal(a.Data, &data); err != nil || data.PasswordResetToken == "" || data.TokenExpiresIn != 600 {
			t.Fatalf("no reset token: %s", a.raw)
		}
		return data.PasswordResetToken
	}
	var session struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(signIn("correct horse battery").Data, &session); err != nil || session.AccessToken == "" {
		t.Fatal("erin cannot sign in")
	}
	// Lock erin's account: the reset lifts the lock.
	for range 5 {
		signIn("wrong password!")
	}
	want("locked", signIn("correct horse battery"), 429, 0, "")

	// Input first.
	want("no method", post("verify-reset-password-request", `{}`), 400, 0, "verify-reset-password-request-no-method")
	want("bad method", post("verify-reset-password-request", `{"verifyMethod":"PASSWORD"}`), 400, 0, "")
	want("no payload", post("verify-reset-password-request", `{"verifyMethod":"PHONE_PASSCODE"}`), 400, 0, "")
	want("bad email", verifyEmail("erin", "123456"), 400, 0, "")
	want("no token", post("reset-password", `{"password":"a brand new secret"}`), 400, 0, "reset-password-no-token")
	want("no app", call(t, http.MethodPost, s.URL+"/api/v3/reset-password", nil, `{"password":"x","passwordResetToken":"y"}`), 400, 0, "")

	want("send", post("send-email", `{"channel":"CHANNEL_RESET_PASSWORD","email":"erin@example.com"}`), 200, 0, "")
	code := in.Deliver(t)["erin@example.com"]
	if len(code) != 6 {
		t.Fatal("no code arrived for erin@example.com")
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	want("wrong code", verifyEmail("erin@example.com", wrong), 403, 2001, "verify-reset-password-request-wrong")
	want("unknown user", verifyEmail("nobody@example.com", code), 403, 2001, "")
	a := verifyEmail("Erin@Example.com", code)
	want("verify", a, 200, 0, "verify-reset-password-request")
	tok := tokenOf(a)
	want("used code", verifyEmail("erin@example.com", code), 403, 2001, "")

	want("weak password", resetWith(tok, "password"), 400, 0, "reset-password-weak")
	want("forged token", resetWith(tok[:len(tok)-2]+"xx", "a brand new secret"), 403, 2001, "reset-password-bad-token")
	want("reset", resetWith(tok, "a brand new secret"), 200, 0, "reset-password")
	want("used token", resetWith(tok, "another new secret"), 403, 2001, "")

	if a := call(t, http.MethodGet, s.URL+"/api/v3/get-profile", map[string]string{"Authorization": "Bearer " + session.AccessToken}, ""); a.StatusCode != 401 {
		t.Errorf("a token from before the reset still works: %s", a.raw)
	}
	want("old password", signIn("correct horse battery"), 403, 2333, "")
	want("new password, lock lifted", signIn("a brand new secret"), 200, 0, "")

	// By phone; a token expires after ten minutes.
	want("send sms", post("send-sms", `{"channel":"CHANNEL_RESET_PASSWORD","phoneNumber":"13800000002","phoneCountryCode":"+86"}`), 200, 0, "")
	code = in.Deliver(t)["+8613800000002"]
	a = post("verify-reset-password-request", `{"verifyMethod":"PHONE_PASSCODE","phonePassCodePayload":{"phoneNumber":"13800000002","phoneCountryCode":"+86","passCode":"`+code+`"}}`)
	want("verify by phone", a, 200, 0, "")
	tok = tokenOf(a)
	s.Clock.Advance(passcode.ResetLifetime)
	want("expired token", resetWith(tok, "another new secret"), 403, 2300, "reset-password-expired")

	// Each reset code sent to erin is audited; a send to no user's address is not.
	want("send to nobody", post("send-email", `{"channel":"CHANNEL_RESET_PASSWORD","email":"nobody@example.com"}`), 200, 0, "")
	events, err := s.Store.ListAuditEvents(t.Context(), store.AuditQuery{Type: model.AuditResetCodeSend})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.UserID+" "+e.ClientID+" "+e.Detail)
	}
	slices.Sort(got)
	if w := []string{u.ID + " " + app.ID + " authentication API send-email", u.ID + " " + app.ID + " authentication API send-sms"}; !slices.Equal(got, w) {
		t.Errorf("reset code sends audited %q, want %q", got, w)
	}
}
