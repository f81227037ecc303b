package main

import (
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/testkit/smtptest"
	"github.com/opengenauth/genauth/internal/testkit/webhooktest"
)

const testWebhookSecret = "0123456789abcdef-webhook"

// TestNotifyThroughServe: the CLI queues test messages in the data
// directory's outbox and the running server sends them to a real SMTP
// server and a real webhook receiver.
func TestNotifyThroughServe(t *testing.T) {
	dir := newDataDir(t)
	mailSrv := smtptest.Start(t, smtptest.Options{})
	hook := webhooktest.Start(t, testWebhookSecret)
	delivery := []string{"--smtp-url", "smtp://" + mailSrv.Addr, "--smtp-from", "GenAuth <no-reply@example.com>",
		"--sms-webhook-url", hook.URL, "--sms-webhook-secret", testWebhookSecret}
	startServe(t, dir, delivery...)

	out := mustRun(t, "", "notify", "test-email", "--to", "Ada@Example.com", "--lang", "zh", "--data-dir", dir)
	if !strings.HasPrefix(out, "queued the test email ") || !strings.Contains(out, " to ada@example.com;") {
		t.Errorf("test-email printed %q", out)
	}
	m := <-mailSrv.Messages
	if m.To != "ada@example.com" || m.Subject != "GenAuth 测试邮件" || !strings.Contains(m.Text, "邮件发送正常") ||
		!strings.Contains(m.HTML, `lang="zh-CN"`) {
		t.Errorf("received %q to %q:\n%s", m.Subject, m.To, m.Text)
	}

	mustRun(t, "", "notify", "test-sms", "--phone", "+8613800138000", "--data-dir", dir)
	p := <-hook.Payloads
	if p.Phone != "+8613800138000" || p.Channel != "CHANNEL_TEST" || len(p.Code) != 6 || p.ID == "" {
		t.Errorf("webhook got %+v", p)
	}
}

func TestNotifyNow(t *testing.T) {
	mailSrv := smtptest.Start(t, smtptest.Options{})
	hook := webhooktest.Start(t, testWebhookSecret)
	out := mustRun(t, "", "notify", "test-email", "--now", "--to", "ada@example.com",
		"--smtp-url", "smtp://"+mailSrv.Addr, "--smtp-from", "no-reply@example.com")
	if !strings.HasPrefix(out, "sent the test email ") {
		t.Errorf("test-email --now printed %q", out)
	}
	if m := <-mailSrv.Messages; m.Subject != "GenAuth test message" {
		t.Errorf("received %q", m.Subject)
	}
	mustRun(t, "", "notify", "test-sms", "--now", "--phone", "13800138000",
		"--sms-webhook-url", hook.URL, "--sms-webhook-secret", testWebhookSecret)
	if p := <-hook.Payloads; p.Phone != "13800138000" {
		t.Errorf("webhook got %+v", p)
	}

	mailSrv.Close()
	hook.FailNext.Store(1)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"test-email", "--now", "--to", "a@example.com", "--smtp-url", "smtp://" + mailSrv.Addr, "--smtp-from", "n@example.com"},
			"genauth: sending the test email to a@example.com failed: "},
		{[]string{"test-sms", "--now", "--phone", "13800138000", "--sms-webhook-url", hook.URL, "--sms-webhook-secret", testWebhookSecret},
			"genauth: sending the test SMS to 13800138000 failed: sms webhook answered 503 Service Unavailable"},
		{[]string{"test-email", "--now", "--to", "a@example.com"}, "genauth: email is not configured: set --smtp-url and --smtp-from"},
		{[]string{"test-sms", "--now", "--phone", "13800138000"}, "genauth: SMS is not configured"},
		{[]string{"test-email", "--to", "not an address"}, `genauth: --to "not an address" is not an email address`},
		{[]string{"test-email", "--to", "a@example.com", "--lang", "fr"}, `genauth: --lang "fr": use en or zh`},
		{[]string{"test-sms", "--phone", "call me"}, `genauth: --phone "call me" is not a phone number`},
		{[]string{"test-email", "--now", "--to", "a@example.com", "--smtp-url", "smtp://u:hunter2@h:0", "--smtp-from", "n@example.com"},
			"genauth: --smtp-url smtp://u:xxxxx@h:0 has a bad port"},
	} {
		_, errOut, code := cliRun(t, "", append([]string{"notify"}, tt.args...)...)
		if code != 1 || !strings.HasPrefix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "hunter2") {
			t.Errorf("notify %v: exit %d, stderr %q; want 1 and one line starting %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestServeRefusesBadDeliveryFlags(t *testing.T) {
	dir := newDataDir(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp-url", "smtp://u:hunter2@mail.example.com"}, "genauth: --smtp-from is needed with --smtp-url"},
		{[]string{"--smtp-url", "imap://mail.example.com", "--smtp-from", "a@b.c"}, "genauth: --smtp-url imap://mail.example.com must start with smtp://"},
		{[]string{"--smtp-from", "a@b.c"}, "genauth: --smtp-from is set but --smtp-url is not"},
		{[]string{"--sms-webhook-url", "https://gw.example.com/sms"}, "genauth: --sms-webhook-secret is needed with --sms-webhook-url"},
		{[]string{"--sms-webhook-secret", testWebhookSecret}, "genauth: --sms-webhook-secret is set but --sms-webhook-url is not"},
	} {
		_, errOut, code := cliRun(t, "", append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir}, tt.args...)...)
		if code != 1 || !strings.HasPrefix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "hunter2") {
			t.Errorf("serve %v: exit %d, stderr %q; want 1 and one line starting %q", tt.args, code, errOut, tt.want)
		}
	}
}
