package testserver

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/mail"
	"github.com/opengenauth/genauth/internal/platform/sms"
	"github.com/opengenauth/genauth/internal/testkit/smtptest"
	"github.com/opengenauth/genauth/internal/testkit/webhooktest"
)

// Inbox delivers a server's outbox over real SMTP (smtptest) and a real
// signed webhook (webhooktest), and reads the codes that arrive.
type Inbox struct {
	s         *Server
	SMTP      *smtptest.Server
	Webhook   *webhooktest.Receiver
	providers map[string]outbox.Provider
}

// WebhookSecret is the secret the Inbox's webhook is signed under.
const WebhookSecret = "0123456789abcdef-webhook"

// StartInbox starts an SMTP server and a webhook receiver for s's messages.
func (s *Server) StartInbox(t testing.TB) *Inbox {
	t.Helper()
	in := &Inbox{s: s, SMTP: smtptest.Start(t, smtptest.Options{}), Webhook: webhooktest.Start(t, WebhookSecret)}
	cfg, err := mail.ParseConfig("smtp://"+in.SMTP.Addr, "GenAuth <genauth@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	// The receiver checks the signature's age against the real clock.
	hook, err := sms.New(in.Webhook.URL, WebhookSecret, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	in.providers = map[string]outbox.Provider{model.MessageEmail: mail.NewSMTP(cfg), model.MessageSMS: hook}
	return in
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// Deliver sends what is due in the outbox and returns the codes received,
// by address (an email's recipient, an SMS's phone number).
func (in *Inbox) Deliver(t testing.TB) map[string]string {
	t.Helper()
	n := in.s.Deliver(t, in.providers)
	got := map[string]string{}
	for range n {
		select {
		case m := <-in.SMTP.Messages:
			got[strings.Trim(m.To, "<>")] = sixDigits.FindString(m.Text)
		case p := <-in.Webhook.Payloads:
			got[p.Phone] = p.Code
		case <-t.Context().Done():
			t.Fatal("a message sent did not arrive")
		}
	}
	return got
}
