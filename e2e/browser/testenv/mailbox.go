package testenv

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/console"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/mail"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/sms"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/testkit/smtptest"
	"github.com/opengenauth/genauth/internal/testkit/webhooktest"
)

// webhookSecret signs the SMS webhook; this only ever runs on loopback.
const webhookSecret = "browser-tests-webhook-secret"

// mailbox is where the server's messages arrive: a real SMTP server and
// webhook receiver on loopback, fed by the outbox sender as genauth serve
// runs it. The stand-in application hands the codes to the Node tests
// (GET /test/messages/next): a test-only endpoint of this environment,
// never of GenAuth.
type mailbox struct {
	smtp    *smtptest.Server
	webhook *webhooktest.Receiver
	stop    context.CancelFunc
	done    chan struct{}

	mu      sync.Mutex
	arrived chan struct{} // closed and replaced at each arrival
	codes   map[string][]string
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// startMailbox starts the receivers and a sender draining st's outbox.
func startMailbox(st *sqlite.Store, key []byte, logger *slog.Logger) (*mailbox, error) {
	smtpSrv, err := smtptest.New(smtptest.Options{})
	if err != nil {
		return nil, err
	}
	m := &mailbox{smtp: smtpSrv, webhook: webhooktest.New(webhookSecret), done: make(chan struct{}),
		arrived: make(chan struct{}), codes: map[string][]string{}}
	cfg, err := mail.ParseConfig("smtp://"+smtpSrv.Addr, "GenAuth <genauth@example.com>")
	if err != nil {
		m.close()
		return nil, err
	}
	hook, err := sms.New(m.webhook.URL, webhookSecret, time.Now)
	if err != nil {
		m.close()
		return nil, err
	}
	sealer, err := secret.NewSealer(key, rand.Reader)
	if err != nil {
		m.close()
		return nil, err
	}
	sender := &outbox.Sender{Store: st, Sealer: sealer, Audit: audit.NewSync(st, logger, time.Now), Logger: logger,
		Providers: map[string]outbox.Provider{model.MessageEmail: mail.NewSMTP(cfg), model.MessageSMS: hook},
		Now:       time.Now, Interval: 100 * time.Millisecond}
	ctx, stop := context.WithCancel(context.Background())
	m.stop = stop
	go func() {
		defer close(m.done)
		go func() { _ = sender.Run(ctx) }()
		for {
			select {
			case <-ctx.Done():
				return
			case msg := <-smtpSrv.Messages:
				m.add(strings.Trim(msg.To, "<>"), sixDigits.FindString(msg.Text))
			case p := <-m.webhook.Payloads:
				m.add(p.Phone, p.Code)
			}
		}
	}()
	return m, nil
}

func (m *mailbox) add(to, code string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.codes[to] = append(m.codes[to], code)
	close(m.arrived)
	m.arrived = make(chan struct{})
}

// next removes and returns the oldest code received for to, waiting for
// one until ctx ends.
func (m *mailbox) next(ctx context.Context, to string) (string, bool) {
	for {
		m.mu.Lock()
		if q := m.codes[to]; len(q) > 0 {
			m.codes[to] = q[1:]
			m.mu.Unlock()
			return q[0], true
		}
		arrived := m.arrived
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return "", false
		case <-arrived:
		}
	}
}

// serveNext is GET /test/messages/next?to=ADDRESS: {"code": "..."} of the
// next message to the address, 404 when none comes within 10 seconds.
func (m *mailbox) serveNext(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	code, ok := m.next(ctx, r.URL.Query().Get("to"))
	if !ok {
		http.Error(w, "no message arrived", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code})
}

func (m *mailbox) close() {
	if m.stop != nil {
		m.stop()
		<-m.done
	}
	m.smtp.Close()
	m.webhook.Close()
}

// notifier is the console's console.Notify: the mailbox's receivers and
// test messages queued in the outbox its sender drains.
type notifier struct {
	delivery console.Delivery
	queue    *outbox.Queue
}

func (m *mailbox) notify(st *sqlite.Store, key []byte) (console.Notify, error) {
	sealer, err := secret.NewSealer(key, rand.Reader)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(m.webhook.URL)
	return &notifier{
		delivery: console.Delivery{SMTP: "smtp://" + m.smtp.Addr, From: "GenAuth <genauth@example.com>", SMSWebhook: u.Scheme + "://" + u.Host},
		queue:    &outbox.Queue{Store: st, Sealer: sealer, NewID: token.NewSource(rand.Reader).ID, Now: time.Now},
	}, nil
}

func (n *notifier) Delivery() console.Delivery { return n.delivery }

func (n *notifier) SendTest(ctx context.Context, kind, to, lang string) (string, error) {
	m := model.Message{Kind: kind, To: to, Template: "test", Lang: lang}
	if kind == model.MessageSMS {
		m.Channel, m.Code = "CHANNEL_TEST", "123456"
	}
	q, err := n.queue.Enqueue(ctx, m)
	if err != nil {
		return "", err
	}
	return q.ID, nil
}
