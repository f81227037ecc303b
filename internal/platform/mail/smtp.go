package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/opengenauth/genauth/internal/model"
)

// Timeout bounds connecting to the SMTP server and each exchange with it.
const Timeout = 20 * time.Second

// Config is how to reach the SMTP server and whom mail comes from.
type Config struct {
	Host               string
	Port               int
	Username, Password string // empty: no authentication
	// ImplicitTLS is smtps://: TLS from the first byte. Otherwise STARTTLS
	// is used when the server offers it.
	ImplicitTLS bool
	From        string // an address, with or without a display name
	// TLS, when set, replaces the default TLS settings (tests trust their
	// own certificate with it).
	TLS *tls.Config
}

// ParseConfig reads --smtp-url and --smtp-from. Errors are one line and
// never hold the password.
func ParseConfig(rawURL, from string) (Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Config{}, fmt.Errorf("--smtp-url %s is not a URL such as smtp://user:password@mail.example.com:587", Redact(rawURL))
	}
	var c Config
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.ImplicitTLS = 465, true
	default:
		return Config{}, fmt.Errorf("--smtp-url %s must start with smtp:// (STARTTLS when offered) or smtps:// (implicit TLS)", Redact(rawURL))
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return Config{}, fmt.Errorf("--smtp-url %s names no host", Redact(rawURL))
	}
	if p := u.Port(); p != "" {
		c.Port, err = strconv.Atoi(p)
		if err != nil || c.Port < 1 || c.Port > 65535 {
			return Config{}, fmt.Errorf("--smtp-url %s has a bad port", Redact(rawURL))
		}
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return Config{}, fmt.Errorf("--smtp-url %s must have no path, query or fragment", Redact(rawURL))
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if from == "" {
		return Config{}, errors.New("--smtp-from is needed with --smtp-url: the address mail comes from, such as GenAuth <no-reply@example.com>")
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return Config{}, fmt.Errorf("--smtp-from %q is not an email address", from)
	}
	c.From = from
	return c, nil
}

// Redact returns an SMTP URL with its password replaced by "xxxxx".
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// String describes c for logs and doctor, without the password.
func (c Config) String() string {
	scheme, user := "smtp", ""
	if c.ImplicitTLS {
		scheme = "smtps"
	}
	if c.Username != "" {
		user = url.User(c.Username).String() + "@"
	}
	return scheme + "://" + user + net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// SMTP sends email through one SMTP server; it is an outbox.Provider.
type SMTP struct{ cfg Config }

// NewSMTP returns the sender for cfg (from ParseConfig).
func NewSMTP(cfg Config) *SMTP { return &SMTP{cfg: cfg} }

func (s *SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(Timeout)}
	if s.cfg.ImplicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	tc := s.cfg.TLS
	if tc == nil {
		tc = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tc = tc.Clone()
	tc.ServerName = s.cfg.Host
	opts = append(opts, gomail.WithTLSConfig(tc))
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// Send renders m and sends it as multipart/alternative, plain text first.
func (s *SMTP) Send(ctx context.Context, m *model.Message) error {
	r, err := Render(m)
	if err != nil {
		return err
	}
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("mail: sender address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail: recipient address: %w", err)
	}
	msg.Subject(r.Subject)
	msg.SetDate()
	msg.SetMessageIDWithValue(m.ID + "@genauth")
	msg.SetBodyString(gomail.TypeTextPlain, r.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
	c, err := s.client()
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// Check connects, says EHLO, starts TLS when offered and authenticates,
// then quits: whether mail could be sent now (genauth doctor).
func (s *SMTP) Check(ctx context.Context) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return err
	}
	return c.CloseWithSMTPClient(sc)
}
