package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// SealPurpose is the secret.Sealer purpose of a message's content.
const SealPurpose = "outbox message"

// Delivery limits. A failed attempt n (1, 2, ...) is retried after
// BaseDelay·2^(n-1), at most MaxDelay: 30s, 1m, 2m, ... 32m, 1h. After
// MaxAttempts attempts (about 3 hours of trying) the message is given up.
const (
	BaseDelay   = 30 * time.Second
	MaxDelay    = time.Hour
	MaxAttempts = 10
	// Lease is how long a claimed message is not claimed again; a send is
	// cut off at SendTimeout, well within it, so that two nodes never send
	// one message twice while both run.
	Lease       = 2 * time.Minute
	SendTimeout = time.Minute
	// Batch is how many messages one claim takes.
	Batch = 20
)

// Delay is how long after failed attempt n the message is tried again.
func Delay(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 8 { // 30s·2^7 already exceeds MaxDelay
		return MaxDelay
	}
	return min(BaseDelay<<(attempt-1), MaxDelay)
}

// Provider delivers one kind of message (email over SMTP, SMS through a
// webhook, a vendor's API). Send returns nil only once the message is
// accepted; it honours ctx's deadline.
type Provider interface {
	Send(ctx context.Context, m *model.Message) error
}

// Sealer seals and opens a message's content (secret.Sealer).
type Sealer interface {
	Seal(purpose string, plaintext []byte) ([]byte, error)
	Open(purpose string, sealed []byte) ([]byte, error)
}

// Queue writes messages to the outbox.
type Queue struct {
	Store  Store
	Sealer Sealer
	// NewID returns a fresh message id (token.Source.ID).
	NewID func() string
	Now   func() time.Time
}

// ErrInvalid means a message lacks its kind, recipient or template.
var ErrInvalid = errors.New("outbox: a message needs a kind (email or sms), a recipient and a template")

// Enqueue stores m, due now, and returns it with its id and creation time.
func (q *Queue) Enqueue(ctx context.Context, m model.Message) (*model.Message, error) {
	if (m.Kind != model.MessageEmail && m.Kind != model.MessageSMS) || m.To == "" || m.Template == "" {
		return nil, ErrInvalid
	}
	m.ID = q.NewID()
	m.CreatedAt = q.Now().UTC().Truncate(time.Millisecond)
	om, err := Seal(q.Sealer, &m)
	if err != nil {
		return nil, err
	}
	if err := q.Store.EnqueueMessage(ctx, om); err != nil {
		return nil, err
	}
	return &m, nil
}

// Seal returns m (its id and creation time set) as the outbox stores it,
// due at once: for a store method that enqueues it together with the state
// it announces.
func Seal(s Sealer, m *model.Message) (*model.OutboxMessage, error) {
	plain, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	sealed, err := s.Seal(SealPurpose, plain)
	if err != nil {
		return nil, err
	}
	return &model.OutboxMessage{ID: m.ID, Kind: m.Kind, Sealed: sealed, NextAttemptAt: m.CreatedAt, CreatedAt: m.CreatedAt}, nil
}

// Open returns the content of a stored message.
func Open(s Sealer, om *model.OutboxMessage) (*model.Message, error) {
	plain, err := s.Open(SealPurpose, om.Sealed)
	if err != nil {
		return nil, fmt.Errorf("outbox: message %s cannot be opened (was the server secret changed?): %w", om.ID, err)
	}
	var m model.Message
	if err := json.Unmarshal(plain, &m); err != nil {
		return nil, fmt.Errorf("outbox: message %s: %w", om.ID, err)
	}
	return &m, nil
}

// Auditor records security events (audit.Recorder).
type Auditor interface {
	Record(ctx context.Context, e model.AuditEvent)
}

// Sender drains the outbox: every Interval (or when Wake is signalled) it
// claims due messages, sends each through the Provider of its kind and
// records the outcome. Any number of Senders may run on one database.
type Sender struct {
	Store     Store
	Sealer    Sealer
	Providers map[string]Provider // by model.MessageEmail, model.MessageSMS
	// Audit records the messages given up; required.
	Audit  Auditor
	Logger *slog.Logger
	Now    func() time.Time
	// Interval is the time between passes; Run requires it to be positive
	// unless Ticks is set.
	Interval time.Duration
	// Ticks, when set, replaces the Interval timer (tests).
	Ticks <-chan time.Time
}

// errNoProvider is the attempt error of a message whose kind has no
// provider configured: it waits (with back-off) for one.
var errNoProvider = errors.New("no provider is configured for this kind of message")

// Drain sends every message due now, claiming Batch at a time, and returns
// how many it sent. It stops at ctx's end or a store error.
func (s *Sender) Drain(ctx context.Context) (int, error) {
	sent := 0
	for {
		claimed, err := s.Store.ClaimMessages(ctx, s.Now(), Lease, Batch)
		if err != nil {
			return sent, err
		}
		for _, om := range claimed {
			ok, err := s.deliver(ctx, om)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(claimed) < Batch || ctx.Err() != nil {
			return sent, ctx.Err()
		}
	}
}

// deliver sends one claimed message and records the outcome; the error is
// the store's.
func (s *Sender) deliver(ctx context.Context, om *model.OutboxMessage) (bool, error) {
	sendErr := s.send(ctx, om)
	now := s.Now()
	if sendErr == nil {
		err := s.Store.MarkMessageSent(ctx, om.ID, om.Attempts, now)
		if errors.Is(err, model.ErrNotFound) {
			// The lease ran out and another sender took the message over.
			s.logger().WarnContext(ctx, "message sent after its lease ended", "message", om.ID, "kind", om.Kind)
			return true, nil
		}
		return err == nil, err
	}
	reason := sendErr.Error()
	if om.Attempts >= MaxAttempts {
		err := s.Store.FailMessage(ctx, om.ID, om.Attempts, now, reason)
		if err == nil {
			s.Audit.Record(ctx, model.AuditEvent{Type: model.AuditMessageFailed,
				Detail: fmt.Sprintf("%s message %s after %d attempts: %s", om.Kind, om.ID, om.Attempts, reason)})
		}
		return false, ignoreTakenOver(err)
	}
	next := now.Add(Delay(om.Attempts))
	s.logger().WarnContext(ctx, "sending a message failed; will retry", "message", om.ID, "kind", om.Kind,
		"attempt", om.Attempts, "next_attempt", next, "err", reason)
	return false, ignoreTakenOver(s.Store.RetryMessage(ctx, om.ID, om.Attempts, next, reason))
}

// ignoreTakenOver drops the fence's refusal: the message is another
// sender's now.
func ignoreTakenOver(err error) error {
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	return err
}

func (s *Sender) send(ctx context.Context, om *model.OutboxMessage) error {
	p := s.Providers[om.Kind]
	if p == nil {
		return errNoProvider
	}
	m, err := Open(s.Sealer, om)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	return p.Send(ctx, m)
}

func (s *Sender) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// Run drains at once, then at every tick, until ctx ends. Store failures
// are logged and retried at the next tick.
func (s *Sender) Run(ctx context.Context) error {
	ticks := s.Ticks
	if ticks == nil {
		if s.Interval <= 0 {
			return errors.New("outbox: the interval must be positive")
		}
		t := time.NewTicker(s.Interval)
		defer t.Stop()
		ticks = t.C
	}
	for {
		n, err := s.Drain(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			s.logger().WarnContext(ctx, "draining the outbox failed; will retry", "sent", n, "err", err)
		case n > 0:
			s.logger().InfoContext(ctx, "sent messages", "sent", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticks:
		}
	}
}
