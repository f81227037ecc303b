package sweep

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// DefaultBatch is the batch size when Sweeper.Batch is zero.
const DefaultBatch = 1000

// Deleter deletes, in batches, what no request will need again.
type Deleter interface {
	// DeleteExpired deletes at most limit (> 0) sessions, codes, tokens,
	// throttle rows (their window and lock over) and verification codes, in
	// total, that expired
	// before `before`, and returns how many it
	// deleted; fewer than limit means nothing more is due (rows that
	// concurrent callers hold are left to them). It keeps what a later
	// request may still need: a redeemed code while a token of its grant
	// is unexpired (a replay must still revoke them), a refresh token while
	// a token issued from it is unexpired (revoking it must still cascade).
	// Concurrent calls, from any number of processes, are safe.
	DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error)
	// DeleteAuditEvents deletes at most limit (> 0) audit events older than
	// before and returns how many it deleted; fewer than limit means none
	// is left. Concurrent calls, from any number of processes, are safe.
	DeleteAuditEvents(ctx context.Context, before time.Time, limit int) (int, error)
	// DeleteSentMessages deletes at most limit (> 0) outbox messages sent
	// or given up before `before` and returns how many it deleted; fewer
	// than limit means none is left. Messages still to send stay.
	// Concurrent calls, from any number of processes, are safe.
	DeleteSentMessages(ctx context.Context, before time.Time, limit int) (int, error)
}

// Sweeper deletes rows that expired more than Margin ago, audit events
// older than AuditRetention and outbox messages sent or given up more than
// OutboxRetention ago, Batch rows per store call, every Interval.
type Sweeper struct {
	Store Deleter
	Now   func() time.Time
	// Interval is the time between passes; Run requires it to be positive
	// unless Ticks is set.
	Interval time.Duration
	// Margin keeps rows for a while after they expire, for nodes whose
	// clocks run behind and for looking into recent events.
	Margin time.Duration
	// Batch bounds the rows deleted by one store call (one short
	// transaction); 0 means DefaultBatch.
	Batch int
	// AuditRetention is how long audit events are kept; 0 keeps them forever.
	AuditRetention time.Duration
	// OutboxRetention is how long sent and given-up messages are kept; 0
	// keeps them forever.
	OutboxRetention time.Duration
	Logger          *slog.Logger
	// Ticks, when set, replaces the Interval timer (tests).
	Ticks <-chan time.Time
}

// Sweep runs one pass: it deletes expired rows, then old audit events, then
// old outbox messages, in batches until a batch comes back short or ctx
// ends, and returns how many rows it deleted.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	now := s.Now()
	total, err := s.drain(ctx, s.Store.DeleteExpired, now.Add(-s.Margin))
	if err != nil {
		return total, err
	}
	for _, r := range []struct {
		del       func(context.Context, time.Time, int) (int, error)
		retention time.Duration
	}{{s.Store.DeleteAuditEvents, s.AuditRetention}, {s.Store.DeleteSentMessages, s.OutboxRetention}} {
		if r.retention <= 0 {
			continue
		}
		n, err := s.drain(ctx, r.del, now.Add(-r.retention))
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// drain calls del with before until a batch comes back short.
func (s *Sweeper) drain(ctx context.Context, del func(context.Context, time.Time, int) (int, error), before time.Time) (int, error) {
	batch := s.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	total := 0
	for {
		n, err := del(ctx, before, batch)
		total += n
		if err != nil {
			return total, err
		}
		if n < batch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// Run sweeps once at once, then at every tick, until ctx ends. Failures are
// logged and retried at the next tick: a database that is briefly away must
// not stop the sweeping for good.
func (s *Sweeper) Run(ctx context.Context) error {
	ticks := s.Ticks
	if ticks == nil {
		if s.Interval <= 0 {
			return errors.New("sweep: the interval must be positive")
		}
		t := time.NewTicker(s.Interval)
		defer t.Stop()
		ticks = t.C
	}
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	for {
		n, err := s.Sweep(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			log.WarnContext(ctx, "sweeping expired rows failed; will retry", "deleted", n, "err", err)
		case n > 0:
			log.InfoContext(ctx, "swept expired rows, old audit events and sent messages", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticks:
		}
	}
}
