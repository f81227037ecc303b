package authn_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

func TestChangeAndDeleteAccount(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) { testChangeAndDeleteAccount(t, b) })
	}
}

// testChangeAndDeleteAccount: the two steps of an email change, a phone
// change and an account deletion, with codes delivered for real.
func testChangeAndDeleteAccount(t *testing.T, b testserver.Backend) {
	s := b.Start(t)
	in := s.StartInbox(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	u, err := s.Users.Create(t.Context(), users.CreateParams{Username: "hank", Email: "hank@example.com", Phone: "+8613800000011",
		Password: "correct horse battery", Profile: users.Patch{EmailVerified: new(true), PhoneVerified: new(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Users.Create(t.Context(), users.CreateParams{Username: "ivy", Email: "ivy@example.com", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"x-authing-app-id": app.ID}
	a := call(t, http.MethodPost, s.URL+"/api/v3/signin", hdr, `{"connection":"PASSWORD","passwordPayload":{"username":"hank","password":"correct horse battery"},"client_id":"`+
		app.ID+`","client_secret":"`+secret+`"}`)
	var set struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(a.Data, &set); err != nil || set.AccessToken == "" {
		t.Fatalf("sign-in: %s", a.raw)
	}
	as := map[string]string{"x-authing-app-id": app.ID, "Authorization": set.AccessToken}
	scrub := golden.Scrub{Keys: map[string]string{"requestId": `[^"]+`, "updateEmailToken": `[^"]+`, "updatePhoneToken": `[^"]+`, "deleteAccountToken": `[^"]+`}}
	post := func(name, body string, status, apiCode int, goldenName string) answer {
		t.Helper()
		a := call(t, http.MethodPost, s.URL+"/api/v3/"+name, as, body)
		if a.StatusCode != status || a.APICode != apiCode {
			t.Fatalf("%s %s: got %d/%d, want %d/%d: %s", name, body, a.StatusCode, a.APICode, status, apiCode, a.raw)
		}
		if goldenName != "" && b.Name == "sqlite" {
			golden.Check(t, goldenName, a.raw, scrub)
		}
		return a
	}
	send := func(endpoint, body string) {
		t.Helper()
		post(endpoint, body, 200, 0, "")
	}
	token := func(a answer, field string) string {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(a.Data, &m); err != nil {
			t.Fatal(err)
		}
		tok, _ := m[field].(string)
		if tok == "" || m["tokenExpiresIn"] != float64(60) {
			t.Fatalf("no %s for 60 s: %s", field, a.raw)
		}
		return tok
	}
	user := func() *model.User {
		t.Helper()
		got, err := s.Store.GetUser(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// Email: the new address's code and, the current one being verified, its code too.
	send("send-email", `{"channel":"CHANNEL_UPDATE_EMAIL","email":"hank2@example.com"}`)
	send("send-email", `{"channel":"CHANNEL_UPDATE_EMAIL","email":"hank@example.com"}`)
	codes := in.Deliver(t)
	newCode, oldCode := codes["hank2@example.com"], codes["hank@example.com"]
	req := func(old string) string {
		return `{"verifyMethod":"EMAIL_PASSCODE","emailPassCodePayload":{"newEmail":"hank2@example.com","newEmailPassCode":"` + newCode +
			`","oldEmail":"hank@example.com","oldEmailPassCode":"` + old + `"}}`
	}
	post("verify-update-email-request", `{"verifyMethod":"PHONE_PASSCODE"}`, 400, 0, "")
	post("verify-update-email-request", `{"verifyMethod":"EMAIL_PASSCODE","emailPassCodePayload":{"newEmail":"hank@example.com","newEmailPassCode":"1"}}`, 422, 0, "verify-update-email-same")
	post("verify-update-email-request", `{"verifyMethod":"EMAIL_PASSCODE","emailPassCodePayload":{"newEmail":"hank2@example.com","newEmailPassCode":"`+newCode+`"}}`, 400, 0, "verify-update-email-old-required")
	post("verify-update-email-request", `{"verifyMethod":"EMAIL_PASSCODE","emailPassCodePayload":{"newEmail":"hank2@example.com","newEmailPassCode":"`+newCode+
		`","oldEmail":"ivy@example.com","oldEmailPassCode":"`+oldCode+`"}}`, 400, 0, "verify-update-email-not-yours")
	// The old code swapped for the new one: wrong, and neither is spent.
	post("verify-update-email-request", req(newCode), 403, 2001, "")
	tok := token(post("verify-update-email-request", req(oldCode), 200, 0, "verify-update-email-request"), "updateEmailToken")
	post("update-email", `{"updateEmailToken":"not a token"}`, 403, 0, "update-email-bad-token")
	post("update-phone", `{"updatePhoneToken":"`+tok+`"}`, 403, 0, "")
	post("update-email", `{"updateEmailToken":"`+tok+`"}`, 200, 0, "update-email")
	if got := user(); got.Email != "hank2@example.com" || !got.EmailVerified {
		t.Fatalf("after update-email: %q %v", got.Email, got.EmailVerified)
	}
	post("update-email", `{"updateEmailToken":"`+tok+`"}`, 403, 0, "")

	// Phone: the new number's CHANNEL_BIND_PHONE code, the old one's CHANNEL_UNBIND_PHONE code; the grant lives 60 s.
	send("send-sms", `{"channel":"CHANNEL_BIND_PHONE","phoneNumber":"13800000012","phoneCountryCode":"+86"}`)
	send("send-sms", `{"channel":"CHANNEL_UNBIND_PHONE","phoneNumber":"+8613800000011"}`)
	codes = in.Deliver(t)
	phoneReq := `{"verifyMethod":"PHONE_PASSCODE","phonePassCodePayload":{"newPhoneNumber":"13800000012","newPhoneCountryCode":"+86","newPhonePassCode":"` +
		codes["+8613800000012"] + `","oldPhoneNumber":"13800000011","oldPhoneCountryCode":"+86","oldPhonePassCode":"` + codes["+8613800000011"] + `"}}`
	tok = token(post("verify-update-phone-request", phoneReq, 200, 0, "verify-update-phone-request"), "updatePhoneToken")
	s.Clock.Advance(passcode.GrantLifetime)
	post("update-phone", `{"updatePhoneToken":"`+tok+`"}`, 403, 0, "update-phone-expired")
	s.Clock.Advance(time.Minute)
	send("send-sms", `{"channel":"CHANNEL_BIND_PHONE","phoneNumber":"13800000012","phoneCountryCode":"+86"}`)
	send("send-sms", `{"channel":"CHANNEL_UNBIND_PHONE","phoneNumber":"+8613800000011"}`)
	codes = in.Deliver(t)
	phoneReq = `{"verifyMethod":"PHONE_PASSCODE","phonePassCodePayload":{"newPhoneNumber":"13800000012","newPhoneCountryCode":"+86","newPhonePassCode":"` +
		codes["+8613800000012"] + `","oldPhonePassCode":"` + codes["+8613800000011"] + `"}}`
	tok = token(post("verify-update-phone-request", phoneReq, 200, 0, ""), "updatePhoneToken")
	post("update-phone", `{"updatePhoneToken":"`+tok+`"}`, 200, 0, "update-phone")
	if got := user(); got.Phone != "+8613800000012" || !got.PhoneVerified {
		t.Fatalf("after update-phone: %q %v", got.Phone, got.PhoneVerified)
	}

	// Deletion: the password only for a user with neither address; a code to the user's own email.
	post("verify-delete-account-request", `{"verifyMethod":"PASSWORD","passwordPayload":{"password":"correct horse battery"}}`, 422, 0, "verify-delete-account-password-refused")
	post("verify-delete-account-request", `{"verifyMethod":"EMAIL_PASSCODE","emailPassCodePayload":{"email":"ivy@example.com","passCode":"123456"}}`, 400, 0, "")
	send("send-email", `{"channel":"CHANNEL_DELETE_ACCOUNT","email":"hank2@example.com"}`)
	code := in.Deliver(t)["hank2@example.com"]
	del := token(post("verify-delete-account-request", `{"verifyMethod":"EMAIL_PASSCODE","emailPassCodePayload":{"passCode":"`+code+`"}}`, 200, 0,
		"verify-delete-account-request"), "deleteAccountToken")
	post("delete-account", `{"deleteAccountToken":"`+tok+`"}`, 403, 0, "")
	post("delete-account", `{"deleteAccountToken":"`+del+`"}`, 200, 0, "delete-account")
	if _, err := s.Store.GetUser(t.Context(), u.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("the deleted user: %v", err)
	}
	if a := call(t, http.MethodGet, s.URL+"/api/v3/get-profile", as, ""); a.StatusCode != 401 || a.APICode != 2020 {
		t.Fatalf("get-profile after deletion: %s", a.raw)
	}
	post("delete-account", `{"deleteAccountToken":"`+del+`"}`, 401, 2020, "")
	events, err := s.Store.ListAuditEvents(t.Context(), store.AuditQuery{Type: model.AuditAccountDelete, UserID: u.ID})
	if err != nil || len(events) != 1 {
		t.Errorf("delete events = %d (%v), want 1", len(events), err)
	}
}

// TestDeleteAccountByPassword: a user with neither email nor phone proves
// the deletion with the password, counted as a sign-in attempt.
func TestDeleteAccountByPassword(t *testing.T) {
	s := testserver.Start(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	u := s.CreateUser(t, "jo", "correct horse battery")
	hdr := map[string]string{"x-authing-app-id": app.ID}
	a := call(t, http.MethodPost, s.URL+"/api/v3/signin", hdr, `{"connection":"PASSWORD","passwordPayload":{"username":"jo","password":"correct horse battery"},"client_id":"`+
		app.ID+`","client_secret":"`+secret+`"}`)
	var set struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(a.Data, &set); err != nil || set.AccessToken == "" {
		t.Fatalf("sign-in: %s", a.raw)
	}
	as := map[string]string{"x-authing-app-id": app.ID, "Authorization": set.AccessToken}
	scrub := golden.Scrub{Keys: map[string]string{"requestId": `[^"]+`}}
	a = call(t, http.MethodPost, s.URL+"/api/v3/verify-delete-account-request", as, `{"verifyMethod":"PASSWORD","passwordPayload":{"password":"wrong one"}}`)
	if a.StatusCode != 403 || a.APICode != 2006 {
		t.Fatalf("a wrong password: %s", a.raw)
	}
	golden.Check(t, "verify-delete-account-wrong-password", a.raw, scrub)
	a = call(t, http.MethodPost, s.URL+"/api/v3/verify-delete-account-request", as, `{"verifyMethod":"PASSWORD","passwordPayload":{"password":"correct horse battery"}}`)
	var grant struct {
		DeleteAccountToken string `json:"deleteAccountToken"`
	}
	if err := json.Unmarshal(a.Data, &grant); err != nil || grant.DeleteAccountToken == "" {
		t.Fatalf("no grant: %s", a.raw)
	}
	if a = call(t, http.MethodPost, s.URL+"/api/v3/delete-account", as, `{"deleteAccountToken":"`+grant.DeleteAccountToken+`"}`); a.StatusCode != 200 {
		t.Fatalf("delete-account: %s", a.raw)
	}
	if _, err := s.Store.GetUser(t.Context(), u.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("the deleted user: %v", err)
	}
}
