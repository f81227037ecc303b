package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"regexp"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/console"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/platform/mail"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/sms"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// senderInterval is how often `genauth serve` looks for messages due.
const senderInterval = time.Second

// outboxRetention is how long sent and given-up messages are kept.
const outboxRetention = 7 * 24 * time.Hour

// deliveryFlags are how email and SMS leave: serve, doctor and notify read them.
type deliveryFlags struct{ smtpURL, smtpFrom, smsURL, smsSecret string }

func addDeliveryFlags(fs *pflag.FlagSet, d *deliveryFlags) {
	envStringVar(fs, &d.smtpURL, "smtp-url", "GENAUTH_SMTP_URL", "",
		"SMTP server for email: smtp://user:password@host:port (STARTTLS when offered, port 587) or smtps:// (implicit TLS, port 465)")
	envStringVar(fs, &d.smtpFrom, "smtp-from", "GENAUTH_SMTP_FROM", "", "address email comes from, such as GenAuth <no-reply@example.com>")
	envStringVar(fs, &d.smsURL, "sms-webhook-url", "GENAUTH_SMS_WEBHOOK_URL", "",
		"URL that receives each SMS as a signed JSON POST")
	envStringVar(fs, &d.smsSecret, "sms-webhook-secret", "GENAUTH_SMS_WEBHOOK_SECRET", "",
		"HMAC-SHA256 key of the SMS webhook's X-GenAuth-Signature (at least 16 characters)")
}

// delivery is the parsed configuration: nil where nothing is configured.
type delivery struct {
	smtp    *mail.SMTP
	smtpCfg mail.Config
	sms     *sms.Webhook
}

// parse checks the flags; an error is one line without the password or secret.
func (d deliveryFlags) parse() (*delivery, error) {
	var out delivery
	if d.smtpURL != "" {
		cfg, err := mail.ParseConfig(d.smtpURL, d.smtpFrom)
		if err != nil {
			return nil, err
		}
		out.smtp, out.smtpCfg = mail.NewSMTP(cfg), cfg
	} else if d.smtpFrom != "" {
		return nil, errors.New("--smtp-from is set but --smtp-url is not: email needs both")
	}
	if d.smsURL != "" {
		w, err := sms.New(d.smsURL, d.smsSecret, time.Now)
		if err != nil {
			return nil, err
		}
		out.sms = w
	} else if d.smsSecret != "" {
		return nil, errors.New("--sms-webhook-secret is set but --sms-webhook-url is not: SMS needs both")
	}
	return &out, nil
}

// providers are the configured providers by message kind.
func (d *delivery) providers() map[string]outbox.Provider {
	p := map[string]outbox.Provider{}
	if d.smtp != nil {
		p[model.MessageEmail] = d.smtp
	}
	if d.sms != nil {
		p[model.MessageSMS] = d.sms
	}
	return p
}

// kinds says which kinds of message a provider is configured for.
func (d *delivery) kinds() map[string]bool {
	k := map[string]bool{}
	for kind := range d.providers() {
		k[kind] = true
	}
	return k
}

// webhookHost names the SMS webhook for logs: its scheme and host, since a
// gateway's URL may hold a token in its path or query.
func (d *delivery) webhookHost() string {
	u, _ := url.Parse(d.sms.URL())
	return u.Scheme + "://" + u.Host
}

// logConfig says at start what is configured, without credentials.
func (d *delivery) logConfig(logger *slog.Logger) {
	if d.smtp != nil {
		logger.Info("email delivery", "smtp", d.smtpCfg.String(), "from", d.smtpCfg.From)
	} else {
		logger.Info("email delivery is not configured (--smtp-url, --smtp-from)")
	}
	if d.sms != nil {
		logger.Info("sms delivery", "webhook", d.webhookHost())
	} else {
		logger.Info("sms delivery is not configured (--sms-webhook-url, --sms-webhook-secret)")
	}
}

// startSender drains the outbox in the background until the returned stop
// function is called, which waits for a send in progress. Every node may
// run one: claims are leased.
func startSender(ctx context.Context, st outbox.Store, key []byte, d *delivery, auditor outbox.Auditor, logger *slog.Logger) (stop func(), err error) {
	sealer, err := secret.NewSealer(key, rand.Reader)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s := &outbox.Sender{Store: st, Sealer: sealer, Providers: d.providers(), Audit: auditor, Logger: logger,
		Now: time.Now, Interval: senderInterval}
	go func() {
		defer close(done)
		_ = s.Run(ctx) // fails only on a zero interval
	}()
	return func() { cancel(); <-done }, nil
}

func (c *cli) notifyCmd() *cobra.Command {
	var d deliveryFlags
	var to, phone, lang string
	var now bool
	email := &cobra.Command{
		Use:   "test-email --to ADDRESS",
		Short: "Send a test email through the outbox (or at once with --now)",
		Long: `Queue a test email in the database's outbox; a running "genauth serve" sends it.
With --now it is sent at once through --smtp-url instead, and the result is
printed; the exit status is 1 when it failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr := loginid.Email(to)
			if a, err := netmail.ParseAddress(addr); err != nil || a.Address != addr {
				return fmt.Errorf("--to %q is not an email address", to)
			}
			if lang != "en" && lang != "zh" {
				return fmt.Errorf("--lang %q: use en or zh", lang)
			}
			return c.notify(cmd.Context(), d, now, testMessage(model.MessageEmail, addr, lang))
		},
	}
	email.Flags().StringVar(&to, "to", "", "recipient address")
	email.Flags().StringVar(&lang, "lang", "en", "language of the message: en or zh")
	text := &cobra.Command{
		Use:   "test-sms --phone NUMBER",
		Short: "Send a test SMS through the outbox (or at once with --now)",
		Long: `Queue a test SMS in the database's outbox; a running "genauth serve" posts it
to the SMS webhook with channel CHANNEL_TEST and a random code. With --now it is
posted at once instead, and the result is printed; the exit status is 1 when
it failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			number := loginid.Phone(phone)
			if !phoneNumber.MatchString(number) {
				return fmt.Errorf("--phone %q is not a phone number: digits, optionally after a +", phone)
			}
			return c.notify(cmd.Context(), d, now, testMessage(model.MessageSMS, number, "en"))
		},
	}
	text.Flags().StringVar(&phone, "phone", "", "recipient phone number")
	for _, cmd := range []*cobra.Command{email, text} {
		cmd.Flags().BoolVar(&now, "now", false, "send at once through the configured provider instead of the outbox")
		addDeliveryFlags(cmd.Flags(), &d)
	}
	return groupCmd("notify", "Send test messages to check email and SMS delivery", email, text)
}

// phoneNumber is what a test SMS may be sent to.
var phoneNumber = regexp.MustCompile(`^\+?[0-9]{5,15}$`)

// randomCode is a 6-digit code for test messages.
func randomCode() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand never fails
	return fmt.Sprintf("%06d", (uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3]))%1_000_000)
}

// notify queues m in the outbox, or with now sends it directly.
func (c *cli) notify(ctx context.Context, d deliveryFlags, now bool, m model.Message) error {
	what := "test " + map[string]string{model.MessageEmail: "email", model.MessageSMS: "SMS"}[m.Kind]
	if now {
		del, err := d.parse()
		if err != nil {
			return err
		}
		p := del.providers()[m.Kind]
		if p == nil {
			if m.Kind == model.MessageEmail {
				return errors.New("email is not configured: set --smtp-url and --smtp-from (GENAUTH_SMTP_URL, GENAUTH_SMTP_FROM)")
			}
			return errors.New("SMS is not configured: set --sms-webhook-url and --sms-webhook-secret (GENAUTH_SMS_WEBHOOK_URL, GENAUTH_SMS_WEBHOOK_SECRET)")
		}
		m.ID, m.CreatedAt = token.NewSource(rand.Reader).ID(), time.Now().UTC()
		ctx, cancel := context.WithTimeout(ctx, outbox.SendTimeout)
		defer cancel()
		if err := p.Send(ctx, &m); err != nil {
			return fmt.Errorf("sending the %s to %s failed: %w", what, m.To, err)
		}
		fmt.Fprintf(c.stdout, "sent the %s %s to %s\n", what, m.ID, m.To)
		return nil
	}
	st, err := c.existingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sealer, err := c.sealer()
	if err != nil {
		return err
	}
	q := &outbox.Queue{Store: st, Sealer: sealer, NewID: token.NewSource(rand.Reader).ID, Now: time.Now}
	queued, err := q.Enqueue(ctx, m)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "queued the %s %s to %s; a running `genauth serve` sends it\n", what, queued.ID, m.To)
	return nil
}

// testMessage is the test message of kind to the address or number to: an
// SMS has channel CHANNEL_TEST and a random code.
func testMessage(kind, to, lang string) model.Message {
	m := model.Message{Kind: kind, To: to, Template: "test", Lang: lang}
	if kind == model.MessageSMS {
		m.Channel, m.Code = "CHANNEL_TEST", randomCode()
	}
	return m
}

// consoleNotify is the console's view of this delivery (console.Notify):
// its test messages are queued in st's outbox, as `genauth notify` queues
// them, for the server's sender.
func (d *delivery) consoleNotify(st outbox.Store, key []byte) (console.Notify, error) {
	sealer, err := secret.NewSealer(key, rand.Reader)
	if err != nil {
		return nil, err
	}
	return &notifier{d: d, queue: &outbox.Queue{Store: st, Sealer: sealer, NewID: token.NewSource(rand.Reader).ID, Now: time.Now}}, nil
}

type notifier struct {
	d     *delivery
	queue *outbox.Queue
}

func (n *notifier) Delivery() console.Delivery {
	var out console.Delivery
	if n.d.smtp != nil {
		out.SMTP, out.From = n.d.smtpCfg.String(), n.d.smtpCfg.From
	}
	if n.d.sms != nil {
		out.SMSWebhook = n.d.webhookHost()
	}
	return out
}

func (n *notifier) SendTest(ctx context.Context, kind, to, lang string) (string, error) {
	m, err := n.queue.Enqueue(ctx, testMessage(kind, to, lang))
	if err != nil {
		return "", err
	}
	return m.ID, nil
}
