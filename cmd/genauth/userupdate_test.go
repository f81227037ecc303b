package main

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/testkit/smtptest"
	"github.com/opengenauth/genauth/internal/testkit/webhooktest"
)

// verified returns the stored email and phone verification flags of user id.
func verified(t *testing.T, dir, id string) (email, phone bool) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.GetUser(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.EmailVerified, u.PhoneVerified
}

func TestUserUpdateVerified(t *testing.T) {
	dir := newDataDir(t)
	id := strings.TrimSpace(mustRun(t, "correct horse\n", "user", "create", "--data-dir", dir,
		"--username", "ada", "--email", "ada@example.com", "--phone", "+15551234567", "--password-stdin"))

	steps := []struct {
		args         []string
		email, phone bool
		out          string
	}{
		{[]string{"--email-verified"}, true, false, "email verified true, phone verified false"},
		{[]string{"--phone-verified=true"}, true, true, "email verified true, phone verified true"},
		{[]string{"--email-verified=false"}, false, true, "email verified false, phone verified true"},
		{[]string{"--email-verified", "--phone-verified=false"}, true, false, "email verified true, phone verified false"},
	}
	for _, s := range steps {
		out := mustRun(t, "", append([]string{"user", "update", "--data-dir", dir, "--user", id}, s.args...)...)
		if want := "Updated user " + id + ": " + s.out + ".\n"; out != want {
			t.Errorf("user update %v printed %q; want %q", s.args, out, want)
		}
		if e, p := verified(t, dir, id); e != s.email || p != s.phone {
			t.Errorf("after %v: email verified %t, phone verified %t; want %t, %t", s.args, e, p, s.email, s.phone)
		}
	}

	var events []auditJSON
	decodeJSON(t, mustRun(t, "", "audit", "list", "--data-dir", dir, "--type", model.AuditProfileUpdate, "--json"), &events)
	// Newest first.
	if len(events) != len(steps) || events[0].UserID != id ||
		events[0].Detail != "genauth user update emailVerified=true phoneVerified=false" ||
		events[len(steps)-1].Detail != "genauth user update emailVerified=true" {
		t.Errorf("audit list = %+v; want one profile update per step, naming what changed", events)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--email-verified"}, "genauth: --user is required"},
		{[]string{"--user", id}, "genauth: nothing to change: give --email-verified or --phone-verified"},
		{[]string{"--user", "nobody", "--email-verified"}, `genauth: no user has the id "nobody"`},
		{[]string{"--user", id, "--email-verified=maybe"}, "genauth: invalid argument"},
	} {
		_, errOut, code := cliRun(t, "", append([]string{"user", "update", "--data-dir", dir}, tt.args...)...)
		if code == 0 || !strings.HasPrefix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("user update %v: exit %d, stderr %q; want non-zero and one line starting %q", tt.args, code, errOut, tt.want)
		}
	}
	if e, p := verified(t, dir, id); !e || p {
		t.Error("a refused update changed the user")
	}
}

// codeIn is the six-digit code a message carries.
var codeIn = regexp.MustCompile(`\b[0-9]{6}\b`)

// TestUserSendReset: the code the CLI queues reaches the user through the
// running server and is a CHANNEL_RESET_PASSWORD code for their address.
func TestUserSendReset(t *testing.T) {
	dir := newDataDir(t)
	mailSrv := smtptest.Start(t, smtptest.Options{})
	hook := webhooktest.Start(t, testWebhookSecret)
	delivery := []string{"--smtp-url", "smtp://" + mailSrv.Addr, "--smtp-from", "GenAuth <no-reply@example.com>",
		"--sms-webhook-url", hook.URL, "--sms-webhook-secret", testWebhookSecret}
	startServe(t, dir, delivery...)
	ada := strings.TrimSpace(mustRun(t, "correct horse\n", "user", "create", "--data-dir", dir,
		"--username", "ada", "--email", "Ada@Example.com", "--phone", "+15551234567", "--password-stdin"))
	bob := strings.TrimSpace(mustRun(t, "battery staple\n", "user", "create", "--data-dir", dir, "--username", "bob", "--password-stdin"))

	out := mustRun(t, "", append([]string{"user", "send-reset", "--data-dir", dir, "--user", ada, "--lang", "zh"}, delivery...)...)
	if out != "queued a password reset code to ada@example.com, good for 5 minutes: `genauth serve` sends it if its email delivery is configured (this command cannot check the server's)\n" {
		t.Errorf("send-reset printed %q", out)
	}
	// A second code to the address within the minute is refused, as at send-email and /forgot.
	_, errOut, code := cliRun(t, "", append([]string{"user", "send-reset", "--data-dir", dir, "--user", ada}, delivery...)...)
	if want := "genauth: a password reset code went to ada@example.com less than a minute ago: try again after "; code == 0 ||
		!strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("a second send-reset within the minute: exit %d, stderr %q; want non-zero and one line starting %q", code, errOut, want)
	}
	m := <-mailSrv.Messages
	emailCode := codeIn.FindString(m.Subject)
	if m.To != "ada@example.com" || emailCode == "" || !strings.Contains(m.HTML, `lang="zh-CN"`) {
		t.Errorf("received %q to %q", m.Subject, m.To)
	}
	mustRun(t, "", append([]string{"user", "send-reset", "--data-dir", dir, "--user", ada, "--channel", "sms"}, delivery...)...)
	p := <-hook.Payloads
	if p.Phone != "+15551234567" || p.Channel != passcode.ChannelResetPassword || len(p.Code) != 6 {
		t.Errorf("webhook got %+v", p)
	}

	// Each code queued, and only those, is in the audit trail, naming the CLI.
	var events []auditJSON
	decodeJSON(t, mustRun(t, "", "audit", "list", "--data-dir", dir, "--type", model.AuditResetCodeSend, "--json"), &events)
	var got []string
	for _, e := range events {
		got = append(got, e.UserID+" "+e.Detail)
	}
	slices.Sort(got)
	if want := []string{ada + " genauth user send-reset --channel email", ada + " genauth user send-reset --channel sms"}; !slices.Equal(got, want) {
		t.Errorf("audited %q, want %q", got, want)
	}

	codes := testCodes(t, dir)
	ctx := context.Background()
	if err := codes.Check(ctx, passcode.Target{Kind: model.MessageEmail, To: "ada@example.com", Channel: passcode.ChannelResetPassword}, emailCode); err != nil {
		t.Errorf("the emailed code is not a reset code for ada@example.com: %v", err)
	}
	if err := codes.Check(ctx, passcode.Target{Kind: model.MessageSMS, To: "+15551234567", Channel: passcode.ChannelResetPassword}, p.Code); err != nil {
		t.Errorf("the texted code is not a reset code for +15551234567: %v", err)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--user", ada}, "genauth: email is not configured: set --smtp-url and --smtp-from"},
		{[]string{"--user", ada, "--channel", "sms"}, "genauth: SMS is not configured"},
		{append([]string{"--user", bob}, delivery...), "genauth: user " + bob + " has no email address to send a reset code to"},
		{append([]string{"--user", bob, "--channel", "sms"}, delivery...), "genauth: user " + bob + " has no phone number to send a reset code to"},
		{append([]string{"--user", "nobody"}, delivery...), `genauth: no user has the id "nobody"`},
		{append([]string{"--user", ada, "--channel", "fax"}, delivery...), `genauth: --channel "fax": use email or sms`},
		{append([]string{"--user", ada, "--lang", "fr"}, delivery...), `genauth: --lang "fr": use en or zh`},
		{delivery, "genauth: --user is required"},
	} {
		_, errOut, code := cliRun(t, "", append([]string{"user", "send-reset", "--data-dir", dir}, tt.args...)...)
		if code == 0 || !strings.HasPrefix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("send-reset %v: exit %d, stderr %q; want non-zero and one line starting %q", tt.args, code, errOut, tt.want)
		}
	}
}

// testCodes checks codes against the database and server secret in dir.
func testCodes(t *testing.T, dir string) *passcode.Service {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, err := secret.LoadOrCreateKeyFile(filepath.Join(dir, secretKeyFile), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(key, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	codeKey, err := sealer.DeriveKey(passcode.KeyPurpose)
	if err != nil {
		t.Fatal(err)
	}
	return &passcode.Service{Store: st, Sealer: sealer, Key: codeKey, Rand: rand.Reader, NewID: token.NewSource(rand.Reader).ID, Now: time.Now}
}
