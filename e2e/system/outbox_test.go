package system

import (
	"context"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/testkit/smtptest"
	"github.com/opengenauth/genauth/internal/testkit/webhooktest"
)

const outboxWebhookSecret = "0123456789abcdef-webhook"

// TestCrashKeepsQueuedMessages: messages are queued while the SMTP server
// and the SMS gateway are down; the server tries, fails and is killed with
// SIGKILL. Once both are up, a restarted server sends each message exactly
// once: email over STARTTLS (the binary trusts the test certificate through
// SSL_CERT_FILE), SMS through the signed webhook.
func TestCrashKeepsQueuedMessages(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), clusterTimeout)
	defer cancel()
	bin := buildGenauth(t, ctx)
	dir := t.TempDir()
	mustRun(t, "", "migrate", "--data-dir", dir)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	smtpAddr := ln.Addr().String()
	ln.Close() // the SMTP server is down
	hook := webhooktest.Start(t, outboxWebhookSecret)
	hook.FailNext.Store(1 << 30) // the gateway answers 503
	args := []string{"--data-dir", dir, "--sweep-interval", "0",
		"--smtp-url", "smtp://genauth:s3cret@" + smtpAddr, "--smtp-from", "GenAuth <no-reply@example.com>"}
	env := []string{"GENAUTH_SMS_WEBHOOK_URL=" + hook.URL, "GENAUTH_SMS_WEBHOOK_SECRET=" + outboxWebhookSecret}
	first, err := runNode(t, ctx, bin, "first", env, args...)
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, "", "notify", "test-email", "--to", "ada@example.com", "--data-dir", dir)
	mustRun(t, "", "notify", "test-sms", "--phone", "+8613800138000", "--data-dir", dir)
	// Both were tried and failed: the server logs each retry it schedules.
	for strings.Count(first.stderr(), "sending a message failed; will retry") < 2 {
		select {
		case <-ctx.Done():
			t.Fatalf("the server did not try the messages; stderr:\n%s", first.stderr())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.cmd.Wait()

	mailSrv := smtptest.Start(t, smtptest.Options{Addr: smtpAddr, TLS: "starttls", User: "genauth", Password: "s3cret"})
	hook.FailNext.Store(0)
	second, err := runNode(t, ctx, bin, "second", append(env, "SSL_CERT_FILE="+mailSrv.CertFile), args...)
	if err != nil {
		t.Fatal(err)
	}
	// The messages are due again once the back-off of the first attempt
	// (30s) ends.
	var email *smtptest.Message
	select {
	case email = <-mailSrv.Messages:
	case <-ctx.Done():
		t.Fatalf("the email was not sent after the restart; stderr:\n%s", second.stderr())
	}
	if email.To != "ada@example.com" || email.Subject != "GenAuth test message" || !email.TLS || !email.Authed {
		t.Errorf("email %q to %q, TLS %v, authenticated %v", email.Subject, email.To, email.TLS, email.Authed)
	}
	select {
	case p := <-hook.Payloads:
		if p.Phone != "+8613800138000" || p.Channel != "CHANNEL_TEST" {
			t.Errorf("SMS payload %+v", p)
		}
	case <-ctx.Done():
		t.Fatalf("the SMS was not sent after the restart; stderr:\n%s", second.stderr())
	}
	if code := second.stop(); code != 0 {
		t.Errorf("the second server exited with %d", code)
	}
	select {
	case m := <-mailSrv.Messages:
		t.Errorf("a second email: %q", m.Subject)
	case p := <-hook.Payloads:
		t.Errorf("a second SMS: %+v", p)
	default:
	}
	if strings.Contains(first.stderr()+second.stderr(), "s3cret") {
		t.Error("a server logged the SMTP password")
	}
}
