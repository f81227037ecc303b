package console

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
)

// notifier records the test messages the settings page asks for.
type notifier struct {
	delivery Delivery
	sent     []string // kind, to, lang
}

func (n *notifier) Delivery() Delivery { return n.delivery }

func (n *notifier) SendTest(_ context.Context, kind, to, lang string) (string, error) {
	n.sent = append(n.sent, kind+" "+to+" "+lang)
	return fmt.Sprintf("m%d", len(n.sent)), nil
}

func TestSettingsPage(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	page := body(t, hs.get(Path+"/settings", b))
	for _, want := range []string{`aria-current="page">Settings`, `name="policy" value="off" checked`,
		"At least 8 characters, at most 256 bytes", "Email is not configured", "SMS is not configured",
		"An account is locked after 5 failed sign-ins within 1 h"} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q", want)
		}
	}
	if strings.Contains(page, `action="/console/settings/test-email"`) {
		t.Error("a test email form without email delivery")
	}

	hs.handler.Notify = &notifier{delivery: Delivery{SMTP: "smtp://mailer@mail.example.com:587", From: "GenAuth <no-reply@example.com>",
		SMSWebhook: "https://sms.example.com"}}
	page = body(t, hs.get(Path+"/settings?lang=zh-CN", b))
	for _, want := range []string{"smtp://mailer@mail.example.com:587", "https://sms.example.com",
		`action="/console/settings/test-email"`, `action="/console/settings/test-sms"`, "密码策略"} {
		if !strings.Contains(page, want) {
			t.Errorf("configured, Chinese: no %q", want)
		}
	}
}

func TestSettingsMFAPolicy(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	for _, tc := range []struct {
		policy string
		status int
		want   string // the pool's policy after
	}{
		{"required", http.StatusSeeOther, "required"},
		{"required", http.StatusSeeOther, "required"},
		{"sometimes", http.StatusBadRequest, "required"},
		{"", http.StatusBadRequest, "required"},
		{"optional", http.StatusSeeOther, "optional"},
	} {
		resp := hs.post(Path+"/settings/mfa", url.Values{"policy": {tc.policy}}, b)
		if resp.StatusCode != tc.status {
			t.Fatalf("%q: %d", tc.policy, resp.StatusCode)
		}
		if tc.status == http.StatusSeeOther && resp.Header.Get("Location") != Path+"/settings?done=settings.mfa" {
			t.Errorf("%q: to %s", tc.policy, resp.Header.Get("Location"))
		}
		if tc.status == http.StatusBadRequest && !strings.Contains(body(t, resp), "Choose one of the policies") {
			t.Errorf("%q: no error shown", tc.policy)
		}
		if p, err := hs.factors.PoolPolicy(t.Context()); err != nil || p != tc.want {
			t.Fatalf("%q: policy %q, %v", tc.policy, p, err)
		}
	}
	if page := body(t, hs.get(Path+"/settings?done=settings.mfa", b)); !strings.Contains(page, "The MFA policy was saved") ||
		!strings.Contains(page, `value="optional" checked`) {
		t.Errorf("after saving:\n%s", page)
	}
	// Each change is an mfa.policy event saying it came from the console and
	// a console.change naming the administrator; the unchanged save is not
	// an mfa.policy event.
	if ev := hs.events(model.AuditMFAPolicy); len(ev) != 2 || ev[0].Detail != "off -> required (console)" ||
		ev[1].Detail != "required -> optional (console)" || ev[0].ClientID != "" {
		t.Errorf("mfa.policy events: %+v", ev)
	}
	ev := hs.events(model.AuditConsoleChange)
	if len(ev) != 3 || ev[2].Detail != "mfa policy by "+root.ID+": required -> optional" {
		t.Errorf("console.change events: %+v", ev)
	}
}

func TestSettingsTestMessages(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	// Not configured: refused, nothing queued.
	if resp := hs.post(Path+"/settings/test-email", url.Values{"email": {"ops@example.com"}}, b); resp.StatusCode != http.StatusConflict {
		t.Fatalf("unconfigured: %d", resp.StatusCode)
	}
	n := &notifier{delivery: Delivery{SMTP: "smtp://mail.example.com:587", From: "no-reply@example.com"}}
	hs.handler.Notify = n
	if resp := hs.post(Path+"/settings/test-sms", url.Values{"phone": {"+8613800138000"}}, b); resp.StatusCode != http.StatusConflict {
		t.Fatalf("SMS unconfigured: %d", resp.StatusCode)
	}
	n.delivery.SMSWebhook = "https://sms.example.com"
	for _, tc := range []struct {
		path   string
		form   url.Values
		status int
		field  string // the error shown next to the field, kept value
	}{
		{"/settings/test-email", url.Values{"email": {" Ops@Example.com "}}, http.StatusSeeOther, ""},
		{"/settings/test-email", url.Values{"email": {"not an address"}}, http.StatusBadRequest, "Enter an email address"},
		{"/settings/test-email", url.Values{"email": {""}}, http.StatusBadRequest, "Enter an email address"},
		{"/settings/test-email", url.Values{"email": {"Ops <ops@example.com>"}}, http.StatusBadRequest, "Enter an email address"},
		{"/settings/test-sms", url.Values{"phone": {"+8613800138000"}}, http.StatusSeeOther, ""},
		{"/settings/test-sms", url.Values{"phone": {"12ab"}}, http.StatusBadRequest, "Enter a phone number"},
	} {
		resp := hs.post(Path+tc.path, tc.form, b)
		if resp.StatusCode != tc.status {
			t.Fatalf("%s %v: %d", tc.path, tc.form, resp.StatusCode)
		}
		if tc.field == "" {
			continue
		}
		page := body(t, resp)
		for k, v := range tc.form {
			if v[0] != "" && !strings.Contains(page, `value="`+html.EscapeString(v[0])) {
				t.Errorf("%s: the value %s was not kept", tc.path, k)
			}
		}
		if !strings.Contains(page, tc.field) || !strings.Contains(page, `aria-invalid="true"`) {
			t.Errorf("%s %v: no field error\n%s", tc.path, tc.form, page)
		}
	}
	if want := []string{"email ops@example.com en", "sms +8613800138000 en"}; strings.Join(n.sent, ",") != strings.Join(want, ",") {
		t.Errorf("sent %q, want %q", n.sent, want)
	}
	ev := hs.events(model.AuditConsoleChange)
	if len(ev) != 2 || ev[0].Detail != "test email by "+root.ID+": message m1 to ops@example.com" ||
		ev[1].Detail != "test sms by "+root.ID+": message m2 to +8613800138000" {
		t.Errorf("events: %+v", ev)
	}
	// The admin's language is the message's.
	b.cookies = append(b.cookies, &http.Cookie{Name: i18n.CookieName, Value: "zh-CN"})
	hs.post(Path+"/settings/test-email", url.Values{"email": {"ops@example.com"}}, b)
	if got := n.sent[len(n.sent)-1]; got != "email ops@example.com zh" {
		t.Errorf("Chinese admin: %q", got)
	}
}

// The settings forms refuse a browser that is not an administrator's
// console session and a form without the session's token.
func TestSettingsRefused(t *testing.T) {
	hs := newHarness(t)
	hs.handler.Notify = &notifier{delivery: Delivery{SMTP: "smtp://mail.example.com:587", SMSWebhook: "https://sms.example.com"}}
	_, b := hs.admin("root")
	user := hs.createUser("mallory", "mallory@example.com")
	other := &browser{cookies: []*http.Cookie{hs.hostedSession(user.ID, "pwd", "otp", "mfa")}}
	for _, path := range []string{"/settings/mfa", "/settings/test-email", "/settings/test-sms"} {
		form := url.Values{"policy": {"required"}, "email": {"a@example.com"}, "phone": {"+12345678"}}
		if resp := hs.post(Path+path, form, other); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without a console session: %d", path, resp.StatusCode)
		}
		form.Set("csrf", "")
		if resp := hs.post(Path+path, form, b); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s without the token: %d", path, resp.StatusCode)
		}
	}
	if p, _ := hs.factors.PoolPolicy(t.Context()); p != model.MFAOff {
		t.Errorf("policy changed: %s", p)
	}
	if ev := hs.events(model.AuditConsoleChange); len(ev) != 0 {
		t.Errorf("events: %+v", ev)
	}
}
