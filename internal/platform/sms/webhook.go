package sms

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>" under the secret>". A receiver recomputes the HMAC, compares
// it in constant time and refuses a t too far from its clock (Verify), so a
// captured request cannot be replayed later.
const SignatureHeader = "X-GenAuth-Signature"

// Timeout bounds one POST, connection to last byte.
const Timeout = 10 * time.Second

// MinSecretLen is the shortest secret accepted.
const MinSecretLen = 16

// Payload is the JSON body of the POST.
type Payload struct {
	ID        string `json:"id"`
	Phone     string `json:"phone"`
	Code      string `json:"code"`
	Channel   string `json:"channel"`
	Template  string `json:"template"`
	Lang      string `json:"lang"`
	Minutes   int    `json:"minutes,omitempty"`
	Timestamp int64  `json:"timestamp"`
}

// Webhook posts messages to a URL; it is an outbox.Provider.
type Webhook struct {
	url    string
	secret []byte
	client *http.Client
	now    func() time.Time
}

// New checks --sms-webhook-url and --sms-webhook-secret and returns the
// webhook; now is the clock of the signature's timestamp. Errors are one
// line and never hold the secret.
func New(rawURL, secret string, now func() time.Time) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--sms-webhook-url %q is not an http(s) URL", rawURL)
	}
	if u.User != nil {
		return nil, errors.New("--sms-webhook-url must not contain credentials: the signature authenticates the requests")
	}
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("--sms-webhook-secret is needed with --sms-webhook-url, at least %d characters", MinSecretLen)
	}
	return &Webhook{url: rawURL, secret: []byte(secret), now: now, client: &http.Client{
		Timeout: Timeout,
		// A redirect would carry the code to a host the operator did not name.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}, nil
}

// URL is where the webhook posts.
func (w *Webhook) URL() string { return w.url }

// Send posts m; a 2xx answer means delivered, anything else is an error
// (the outbox retries).
func (w *Webhook) Send(ctx context.Context, m *model.Message) error {
	t := w.now().Unix()
	body, err := json.Marshal(Payload{ID: m.ID, Phone: m.To, Code: m.Code, Channel: m.Channel, Template: m.Template,
		Lang: m.Lang, Minutes: int(m.Lifetime.Round(time.Minute).Minutes()), Timestamp: t})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GenAuth")
	req.Header.Set(SignatureHeader, Sign(w.secret, t, body))
	resp, err := w.client.Do(req)
	if err != nil {
		// Without the URL, which may hold a gateway's token: the error is
		// logged and stored.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("sms webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("sms webhook answered %s", resp.Status)
	}
	return nil
}

// Sign is the SignatureHeader value of body sent at unix time t.
func Sign(secret []byte, t int64, body []byte) string {
	return "t=" + strconv.FormatInt(t, 10) + ",v1=" + hex.EncodeToString(mac(secret, t, body))
}

func mac(secret []byte, t int64, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(strconv.FormatInt(t, 10) + "."))
	h.Write(body)
	return h.Sum(nil)
}

// ErrSignature means a request's signature is missing, malformed, wrong or
// too old.
var ErrSignature = errors.New("sms webhook: bad signature")

// Verify checks a SignatureHeader value against body: the HMAC must match
// and t must be within tolerance of now. It is what a receiver written in
// Go runs; the README shows the same steps for others.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var t int64 = -1
	var sig []byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return ErrSignature
			}
			t = n
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil {
				return ErrSignature
			}
			sig = b
		}
	}
	if t < 0 || sig == nil || !hmac.Equal(sig, mac(secret, t, body)) {
		return ErrSignature
	}
	if d := now.Sub(time.Unix(t, 0)); d > tolerance || d < -tolerance {
		return ErrSignature
	}
	return nil
}
