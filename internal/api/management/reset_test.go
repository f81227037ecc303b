package management_test

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/store"
)

// TestSendResetPasswordCode: an administrator queues a reset code to a
// user's email; the code redeems at the authentication API; a second send
// within the minute, a missing address, an unknown channel or user, and a
// server that cannot send are refused, nothing queued.
func TestSendResetPasswordCode(t *testing.T) {
	if e := start(t, t0); true {
		var u user
		ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "nomail"), ps("email", "nomail@example.com")), &u)
		failed(t, e.call(t, http.MethodPost, "send-reset-password-code", ps("userId", u.UserID)), 501, 0, "email is not configured")
	}
	e := startDelivering(t, t0, map[string]bool{model.MessageEmail: true})
	var ada, bob user
	ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "ada"), ps("email", "ada@example.com"),
		ps("password", "correct horse battery")), &ada)
	ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "bob"), ps("phone", "+8613800000002")), &bob)
	for _, tc := range []struct {
		name   string
		params []param
		status int
		code   int
		msg    string
	}{
		{"unknown channel", []param{ps("userId", ada.UserID), ps("channel", "FAX")}, 400, 0, "EMAIL or SMS"},
		{"unknown language", []param{ps("userId", ada.UserID), ps("lang", "fr")}, 400, 0, "en or zh"},
		{"unknown user", []param{ps("userId", "nobody")}, 404, 2004, "user not found"},
		{"no email", []param{ps("userId", bob.UserID)}, 422, 0, "the user has no email address"},
		{"SMS not configured", []param{ps("userId", bob.UserID), ps("channel", "SMS")}, 501, 0, "SMS is not configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			failed(t, e.call(t, http.MethodPost, "send-reset-password-code", tc.params...), tc.status, tc.code, tc.msg)
		})
	}
	sent := e.call(t, http.MethodPost, "send-reset-password-code", ps("userId", ada.UserID), ps("lang", "zh"))
	ok(t, sent, nil)
	golden(t, "send_reset_sent", sent, nil)
	failed(t, e.call(t, http.MethodPost, "send-reset-password-code", ps("userId", ada.UserID)), 429, 0, "less than a minute ago")

	sealer, err := secret.NewSealer(secretKey, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := e.st.ClaimMessages(t.Context(), e.clock.Now(), time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("outbox = %v, %v; want the one code", claimed, err)
	}
	m, err := outbox.Open(sealer, claimed[0])
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "ada@example.com" || m.Channel != passcode.ChannelResetPassword || m.Lang != "zh" {
		t.Fatalf("message %+v", m)
	}
	// The code is the one the authentication API's reset takes.
	var app application
	ok(t, e.call(t, http.MethodPost, "create-application", ps("appName", "portal"),
		p("redirectUris", `["https://portal.example/cb"]`)), &app)
	req, err := http.NewRequest(http.MethodPost, e.url+"/api/v3/verify-reset-password-request", strings.NewReader(
		`{"verifyMethod":"EMAIL_PASSCODE","emailPassCodePayload":{"email":"ada@example.com","passCode":"`+m.Code+`"}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-authing-app-id", app.AppID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got envelope
	if got.raw, err = io.ReadAll(resp.Body); err != nil || json.Unmarshal(got.raw, &got) != nil {
		t.Fatalf("answer %q: %v", got.raw, err)
	}
	if got.StatusCode != 200 || !strings.Contains(string(got.Data), "passwordResetToken") {
		t.Fatalf("verify-reset-password-request with the code: %s", got.raw)
	}
	events, err := e.st.ListAuditEvents(t.Context(), store.AuditQuery{Type: model.AuditResetCodeSend, UserID: ada.UserID})
	if err != nil || len(events) != 1 || events[0].Detail != "management API send-reset-password-code" {
		t.Fatalf("audit events = %v, %v; want one naming the management API", events, err)
	}
}
