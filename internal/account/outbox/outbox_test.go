package outbox_test

import (
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/platform/mail"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/sms"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/postgres"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/testkit/smtptest"
	"github.com/opengenauth/genauth/internal/testkit/webhooktest"
)

var t0 = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)

const webhookSecret = "0123456789abcdef-webhook"

func TestDelay(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour, time.Hour}
	for i, w := range want {
		if got := outbox.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := outbox.Delay(1000); got != outbox.MaxDelay {
		t.Errorf("Delay(1000) = %v, want %v", got, outbox.MaxDelay)
	}
}

func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return st
}

func newSealer(t *testing.T) *secret.Sealer {
	t.Helper()
	s, err := secret.NewSealer(make([]byte, secret.KeyLen), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// freeAddr returns a loopback address nothing listens on (for now).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func smtpTo(t *testing.T, addr string) *mail.SMTP {
	t.Helper()
	cfg, err := mail.ParseConfig("smtp://"+addr, "no-reply@example.com")
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLS = &tls.Config{}
	return mail.NewSMTP(cfg)
}

func codeEmail() model.Message {
	return model.Message{Kind: model.MessageEmail, To: "ada@example.com", Template: "verification_code",
		Lang: "en", Code: "042917", Channel: "CHANNEL_LOGIN", Lifetime: 5 * time.Minute}
}

func backlog(t *testing.T, st outbox.Store, now time.Time) model.OutboxBacklog {
	t.Helper()
	b, err := st.OutboxBacklog(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRetryUntilTheServerIsUp: the SMTP server is down at first; the
// message waits with back-off and is sent once the server answers.
func TestRetryUntilTheServerIsUp(t *testing.T) {
	st := openSQLite(t)
	clk := clock.NewFake(t0)
	sealer := newSealer(t)
	q := &outbox.Queue{Store: st, Sealer: sealer, NewID: token.NewSource(rand.Reader).ID, Now: clk.Now}
	m, err := q.Enqueue(t.Context(), codeEmail())
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	s := &outbox.Sender{Store: st, Sealer: sealer, Now: clk.Now, Logger: slog.New(slog.DiscardHandler),
		Providers: map[string]outbox.Provider{model.MessageEmail: smtpTo(t, addr)}}
	for attempt := 1; attempt <= 3; attempt++ {
		if n, err := s.Drain(t.Context()); err != nil || n != 0 {
			t.Fatalf("attempt %d with the server down: Drain = %d, %v", attempt, n, err)
		}
		if b := backlog(t, st, clk.Now()); b != (model.OutboxBacklog{Waiting: 1}) {
			t.Fatalf("after attempt %d: backlog %+v, want 1 waiting, none due", attempt, b)
		}
		clk.Advance(outbox.Delay(attempt) - time.Millisecond)
		if n, err := s.Drain(t.Context()); err != nil || n != 0 {
			t.Fatalf("before the back-off ends: Drain = %d, %v", n, err)
		}
		clk.Advance(time.Millisecond)
	}
	srv := smtptest.Start(t, smtptest.Options{Addr: addr})
	if n, err := s.Drain(t.Context()); err != nil || n != 1 {
		t.Fatalf("with the server up: Drain = %d, %v; want 1 sent", n, err)
	}
	got := <-srv.Messages
	if got.To != "ada@example.com" || got.Subject != "Your verification code: 042917" ||
		got.Header.Get("Message-Id") != "<"+m.ID+"@genauth>" {
		t.Errorf("received %q to %q, id %q", got.Subject, got.To, got.Header.Get("Message-Id"))
	}
	if b := backlog(t, st, clk.Now()); b != (model.OutboxBacklog{}) {
		t.Errorf("backlog after the send = %+v, want empty", b)
	}
	if n, err := s.Drain(t.Context()); err != nil || n != 0 {
		t.Errorf("a second drain: %d, %v; want nothing sent twice", n, err)
	}
}

// TestGiveUp: a message that never goes through is given up after
// MaxAttempts, with an audit event that names neither recipient nor code.
func TestGiveUp(t *testing.T) {
	st := openSQLite(t)
	clk := clock.NewFake(t0)
	sealer := newSealer(t)
	q := &outbox.Queue{Store: st, Sealer: sealer, NewID: token.NewSource(rand.Reader).ID, Now: clk.Now}
	m, err := q.Enqueue(t.Context(), model.Message{Kind: model.MessageSMS, To: "+8613800138000",
		Template: "verification_code", Code: "042917", Channel: "CHANNEL_LOGIN", Lifetime: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	rec := audit.NewSync(st, logger, clk.Now)
	// No SMS provider: every attempt fails.
	s := &outbox.Sender{Store: st, Sealer: sealer, Now: clk.Now, Logger: logger, Audit: rec}
	for attempt := 1; attempt <= outbox.MaxAttempts; attempt++ {
		if n, err := s.Drain(t.Context()); err != nil || n != 0 {
			t.Fatalf("attempt %d: Drain = %d, %v", attempt, n, err)
		}
		clk.Advance(outbox.Delay(attempt))
	}
	if b := backlog(t, st, clk.Now()); b != (model.OutboxBacklog{Failed: 1}) {
		t.Fatalf("backlog = %+v, want 1 failed", b)
	}
	events, err := st.ListAuditEvents(t.Context(), store.AuditQuery{Type: model.AuditMessageFailed})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("sms message %s after %d attempts: no provider is configured for this kind of message", m.ID, outbox.MaxAttempts)
	if len(events) != 1 || events[0].Detail != want {
		t.Fatalf("audit events = %+v, want one with %q", events, want)
	}
}

func TestEnqueueRefusesIncompleteMessages(t *testing.T) {
	st := openSQLite(t)
	q := &outbox.Queue{Store: st, Sealer: newSealer(t), NewID: token.NewSource(rand.Reader).ID, Now: time.Now}
	for _, m := range []model.Message{
		{Kind: "fax", To: "x", Template: "test"},
		{Kind: model.MessageEmail, Template: "test"},
		{Kind: model.MessageEmail, To: "a@b.c"},
	} {
		if _, err := q.Enqueue(t.Context(), m); err != outbox.ErrInvalid {
			t.Errorf("Enqueue(%+v) = %v, want ErrInvalid", m, err)
		}
	}
	if b := backlog(t, st, time.Now()); b != (model.OutboxBacklog{}) {
		t.Errorf("backlog = %+v, want empty", b)
	}
}

// TestTwoSendersOnOnePostgreSQL: senders of two nodes drain one database
// at once; the gateway gets every message exactly once.
func TestTwoSendersOnOnePostgreSQL(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	var stores []*postgres.Store
	for range 2 {
		st, err := postgres.Open(t.Context(), dbURL, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		stores = append(stores, st)
	}
	sealer := newSealer(t)
	q := &outbox.Queue{Store: stores[0], Sealer: sealer, NewID: token.NewSource(rand.Reader).ID, Now: time.Now}
	const n = 3*outbox.Batch + 7
	for i := range n {
		m := model.Message{Kind: model.MessageSMS, To: fmt.Sprintf("+86138%08d", i), Template: "test", Code: "000000",
			Channel: "CHANNEL_TEST"}
		if _, err := q.Enqueue(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	r := webhooktest.Start(t, webhookSecret)
	hook, err := sms.New(r.URL, webhookSecret, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	sent := make([]int, len(stores))
	for i, st := range stores {
		s := &outbox.Sender{Store: st, Sealer: sealer, Now: time.Now, Logger: slog.New(slog.DiscardHandler),
			Providers: map[string]outbox.Provider{model.MessageSMS: hook}}
		wg.Go(func() {
			var err error
			sent[i], err = s.Drain(t.Context())
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(r.Payloads)
	seen := map[string]int{}
	for p := range r.Payloads {
		seen[p.ID]++
	}
	if len(seen) != n || sent[0]+sent[1] != n {
		t.Errorf("gateway got %d distinct messages, senders counted %v; want %d", len(seen), sent, n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("message %s delivered %d times", id, c)
		}
	}
}
