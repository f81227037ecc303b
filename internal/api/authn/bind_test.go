package authn_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

func TestBindAddresses(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) { testBindAddresses(t, b) })
	}
}

// testBindAddresses: bind and unbind an email and a phone number with codes
// delivered for real, and the refusals of contract 4.4.
func testBindAddresses(t *testing.T, b testserver.Backend) {
	s := b.Start(t)
	in := s.StartInbox(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	u := s.CreateUser(t, "erin", "correct horse battery")
	if _, err := s.Users.Create(t.Context(), users.CreateParams{Username: "frank", Email: "frank@example.com", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"x-authing-app-id": app.ID}
	a := call(t, http.MethodPost, s.URL+"/api/v3/signin", hdr, `{"connection":"PASSWORD","passwordPayload":{"username":"erin","password":"correct horse battery"},"client_id":"`+
		app.ID+`","client_secret":"`+secret+`"}`)
	var set struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(a.Data, &set); err != nil || set.AccessToken == "" {
		t.Fatalf("sign-in: %s", a.raw)
	}
	as := map[string]string{"x-authing-app-id": app.ID, "Authorization": set.AccessToken}
	scrub := golden.Scrub{Keys: map[string]string{"requestId": `[^"]+`}}
	post := func(name, body string, status, apiCode int, goldenName string) {
		t.Helper()
		a := call(t, http.MethodPost, s.URL+"/api/v3/"+name, as, body)
		if a.StatusCode != status || a.APICode != apiCode {
			t.Fatalf("%s %s: got %d/%d, want %d/%d: %s", name, body, a.StatusCode, a.APICode, status, apiCode, a.raw)
		}
		if goldenName != "" && b.Name == "sqlite" {
			golden.Check(t, goldenName, a.raw, scrub)
		}
	}
	send := func(endpoint, body, to string) string {
		t.Helper()
		post(endpoint, body, 200, 0, "")
		code := in.Deliver(t)[to]
		if len(code) != 6 {
			t.Fatalf("no code arrived for %s", to)
		}
		return code
	}
	user := func() *model.User {
		t.Helper()
		got, err := s.Store.FindUser(t.Context(), store.ByUsername, "erin")
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	post("unbind-email", `{"passCode":"123456"}`, 422, 0, "unbind-email-none")
	post("bind-email", `{"email":"erin@example.com"}`, 400, 0, "")
	post("bind-email", `{"email":"erin@example.com","passCode":"123456"}`, 403, 2001, "bind-email-wrong-code")
	// Another user's email: the code proves the address, the address is taken.
	code := send("send-email", `{"channel":"CHANNEL_BIND_EMAIL","email":"frank@example.com"}`, "frank@example.com")
	post("bind-email", `{"email":"frank@example.com","passCode":"`+code+`"}`, 409, 2026, "bind-email-taken")
	code = send("send-email", `{"channel":"CHANNEL_BIND_EMAIL","email":"erin@example.com"}`, "erin@example.com")
	post("bind-email", `{"email":"Erin@Example.com","passCode":"`+code+`"}`, 200, 0, "bind-email")
	if got := user(); got.Email != "erin@example.com" || !got.EmailVerified {
		t.Fatalf("after bind-email: %q verified %v", got.Email, got.EmailVerified)
	}
	post("bind-email", `{"email":"erin2@example.com","passCode":"`+code+`"}`, 422, 0, "bind-email-already")

	s.Clock.Advance(time.Minute) // past the per-minute send limit
	code = send("send-sms", `{"channel":"CHANNEL_BIND_PHONE","phoneNumber":"13800000009","phoneCountryCode":"+86"}`, "+8613800000009")
	post("bind-phone", `{"phoneNumber":"13800000009","phoneCountryCode":"+86","passCode":"`+code+`"}`, 200, 0, "bind-phone")
	if got := user(); got.Phone != "+8613800000009" || !got.PhoneVerified {
		t.Fatalf("after bind-phone: %q verified %v", got.Phone, got.PhoneVerified)
	}
	post("bind-phone", `{"phoneNumber":"13800000008","passCode":"123456"}`, 422, 0, "")

	// Unbinding takes the code sent to the bound address, on its own channel.
	code = send("send-email", `{"channel":"CHANNEL_BIND_EMAIL","email":"erin@example.com"}`, "erin@example.com")
	post("unbind-email", `{"passCode":"`+code+`"}`, 403, 2001, "")
	code = send("send-email", `{"channel":"CHANNEL_UNBIND_EMAIL","email":"erin@example.com"}`, "erin@example.com")
	post("unbind-email", `{"passCode":"`+code+`"}`, 200, 0, "unbind-email")
	if got := user(); got.Email != "" || got.EmailVerified {
		t.Fatalf("after unbind-email: %q verified %v", got.Email, got.EmailVerified)
	}
	code = send("send-sms", `{"channel":"CHANNEL_UNBIND_PHONE","phoneNumber":"+8613800000009"}`, "+8613800000009")
	post("unbind-phone", `{"passCode":"`+code+`"}`, 200, 0, "unbind-phone")
	if got := user(); got.Phone != "" {
		t.Fatalf("after unbind-phone: %q", got.Phone)
	}
	events, err := s.Store.ListAuditEvents(t.Context(), store.AuditQuery{Type: model.AuditAddressUnbind, UserID: u.ID})
	if err != nil || len(events) != 2 {
		t.Errorf("unbind events = %d (%v), want 2", len(events), err)
	}
}

// TestUnbindLastLoginMethod: a user who signs in only by codes to one
// address cannot unbind it.
func TestUnbindLastLoginMethod(t *testing.T) {
	s := testserver.Start(t)
	in := s.StartInbox(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	if _, err := s.Users.Create(t.Context(), users.CreateParams{Email: "gail@example.com", NoPassword: true}); err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"x-authing-app-id": app.ID}
	if a := call(t, http.MethodPost, s.URL+"/api/v3/send-email", hdr, `{"channel":"CHANNEL_LOGIN","email":"gail@example.com"}`); a.StatusCode != 200 {
		t.Fatal(string(a.raw))
	}
	code := in.Deliver(t)["gail@example.com"]
	a := call(t, http.MethodPost, s.URL+"/api/v3/signin", hdr, `{"connection":"PASSCODE","passCodePayload":{"email":"gail@example.com","passCode":"`+
		code+`"},"client_id":"`+app.ID+`","client_secret":"`+secret+`"}`)
	var set struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(a.Data, &set); err != nil || set.AccessToken == "" {
		t.Fatalf("sign-in: %s", a.raw)
	}
	a = call(t, http.MethodPost, s.URL+"/api/v3/unbind-email", map[string]string{"x-authing-app-id": app.ID, "Authorization": set.AccessToken}, `{"passCode":"123456"}`)
	if a.StatusCode != 422 {
		t.Fatalf("unbinding the last login method: %s", a.raw)
	}
	golden.Check(t, "unbind-email-last-method", a.raw, golden.Scrub{Keys: map[string]string{"requestId": `[^"]+`}})
}
