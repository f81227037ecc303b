package sweep_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/store/sweep"
)

var t0 = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)

func newStore(t *testing.T) *sqlite.Store {
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

// addTokens stores one access token per expiry, named h-<i>.
func addTokens(t *testing.T, st *sqlite.Store, first int, expiries ...time.Time) {
	t.Helper()
	for i, exp := range expiries {
		n := first + i
		tok := &model.Token{Hash: fmt.Sprintf("h-%d", n), ID: fmt.Sprintf("jti-%d", n), Kind: model.TokenAccess,
			GrantID: "g", ClientID: "app", IssuedAt: t0.Add(-48 * time.Hour), ExpiresAt: exp}
		if err := st.CreateTokens(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
}

// stored returns which of h-0 .. h-(n-1) are still stored.
func stored(t *testing.T, st *sqlite.Store, n int) []bool {
	t.Helper()
	out := make([]bool, n)
	for i := range out {
		_, err := st.GetToken(t.Context(), fmt.Sprintf("h-%d", i))
		switch {
		case err == nil:
			out[i] = true
		case !errors.Is(err, model.ErrNotFound):
			t.Fatal(err)
		}
	}
	return out
}

func TestSweepKeepsMargin(t *testing.T) {
	st := newStore(t)
	clk := clock.NewFake(t0)
	addTokens(t, st, 0,
		t0.Add(-2*time.Hour),    // past the margin: goes
		t0.Add(-30*time.Minute), // expired, within the margin: stays for now
		t0.Add(time.Hour),       // live
	)
	s := &sweep.Sweeper{Store: st, Now: clk.Now, Margin: time.Hour}
	tests := []struct {
		advance time.Duration
		deleted int
		stored  []bool
	}{
		{0, 1, []bool{false, true, true}},
		{0, 0, []bool{false, true, true}},
		{31 * time.Minute, 1, []bool{false, false, true}},
		{89 * time.Minute, 0, []bool{false, false, true}}, // t0+2h: expired exactly a margin ago
		{time.Millisecond, 1, []bool{false, false, false}},
	}
	for i, tt := range tests {
		clk.Advance(tt.advance)
		n, err := s.Sweep(t.Context())
		if err != nil || n != tt.deleted {
			t.Fatalf("pass %d at %v: Sweep = %d, %v; want %d", i, clk.Now(), n, err, tt.deleted)
		}
		if got := stored(t, st, 3); fmt.Sprint(got) != fmt.Sprint(tt.stored) {
			t.Fatalf("pass %d: stored = %v, want %v", i, got, tt.stored)
		}
	}
}

// counting records every DeleteExpired call and can fail the first ones.
type counting struct {
	st    sweep.Deleter
	fail  int // calls to fail before passing through
	calls chan int
}

func (c *counting) DeleteAuditEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	return c.st.DeleteAuditEvents(ctx, before, limit)
}

func (c *counting) DeleteSentMessages(ctx context.Context, before time.Time, limit int) (int, error) {
	return c.st.DeleteSentMessages(ctx, before, limit)
}

func (c *counting) DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error) {
	if c.fail > 0 {
		c.fail--
		c.calls <- -1
		return 0, errors.New("database away")
	}
	n, err := c.st.DeleteExpired(ctx, before, limit)
	c.calls <- n
	return n, err
}

func TestSweepBatches(t *testing.T) {
	st := newStore(t)
	var expiries []time.Time
	for range 7 {
		expiries = append(expiries, t0.Add(-time.Hour))
	}
	addTokens(t, st, 0, expiries...)
	c := &counting{st: st, calls: make(chan int, 10)}
	s := &sweep.Sweeper{Store: c, Now: func() time.Time { return t0 }, Batch: 3}
	n, err := s.Sweep(t.Context())
	if err != nil || n != 7 {
		t.Fatalf("Sweep = %d, %v; want 7", n, err)
	}
	close(c.calls)
	var batches []int
	for b := range c.calls {
		batches = append(batches, b)
	}
	if fmt.Sprint(batches) != "[3 3 1]" {
		t.Errorf("batches = %v, want [3 3 1]", batches)
	}
}

// TestRun drives the loop with a tick channel and an injected clock.
func TestRun(t *testing.T) {
	st := newStore(t)
	clk := clock.NewFake(t0)
	addTokens(t, st, 0, t0.Add(-time.Minute), t0.Add(time.Hour))
	c := &counting{st: st, fail: 1, calls: make(chan int)}
	ticks := make(chan time.Time)
	var logs strings.Builder
	var logMu sync.Mutex
	s := &sweep.Sweeper{Store: c, Now: clk.Now, Ticks: ticks, Logger: slog.New(slog.NewTextHandler(&lockedWriter{&logs, &logMu}, nil))}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	// The first pass, at once, fails: the loop goes on.
	if n := <-c.calls; n != -1 {
		t.Fatalf("first call = %d, want the injected failure", n)
	}
	ticks <- clk.Now()
	if n := <-c.calls; n != 1 {
		t.Fatalf("pass after the failure deleted %d, want 1", n)
	}
	clk.Advance(2 * time.Hour)
	ticks <- clk.Now()
	if n := <-c.calls; n != 1 {
		t.Fatalf("pass after the clock moved deleted %d, want 1", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v after cancellation, want nil", err)
	}
	if got := stored(t, st, 2); fmt.Sprint(got) != "[false false]" {
		t.Errorf("stored = %v, want both deleted", got)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if !strings.Contains(logs.String(), "database away") || !strings.Contains(logs.String(), "deleted=1") {
		t.Errorf("logs lack the failure or the deletions:\n%s", logs.String())
	}
}

func TestRunNeedsInterval(t *testing.T) {
	s := &sweep.Sweeper{Store: newStore(t), Now: time.Now}
	if err := s.Run(t.Context()); err == nil {
		t.Error("Run without an interval or ticks succeeded")
	}
}

type lockedWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestSweepAuditRetention: audit events older than the retention go, newer
// ones stay; a zero retention keeps them all.
func TestSweepAuditRetention(t *testing.T) {
	st := newStore(t)
	clk := clock.NewFake(t0)
	const day = 24 * time.Hour
	for i, age := range []time.Duration{100 * day, 90*day + time.Second, 89 * day, time.Hour} {
		if err := st.AppendAuditEvents(t.Context(), &model.AuditEvent{Time: t0.Add(-age), Type: model.AuditLoginSuccess,
			UserID: fmt.Sprintf("u-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	forever := &sweep.Sweeper{Store: st, Now: clk.Now, Margin: time.Hour}
	if n, err := forever.Sweep(t.Context()); err != nil || n != 0 {
		t.Fatalf("without a retention: Sweep = %d, %v; want nothing deleted", n, err)
	}
	s := &sweep.Sweeper{Store: st, Now: clk.Now, Margin: time.Hour, AuditRetention: 90 * day, Batch: 1}
	if n, err := s.Sweep(t.Context()); err != nil || n != 2 {
		t.Fatalf("Sweep = %d, %v; want the 2 events older than 90 days deleted", n, err)
	}
	left, err := st.ListAuditEvents(t.Context(), store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0].UserID != "u-3" || left[1].UserID != "u-2" {
		t.Fatalf("events left: %+v; want u-3 and u-2", left)
	}
}

func TestSweepKeepsSentMessagesForTheRetention(t *testing.T) {
	st := newStore(t)
	ctx := t.Context()
	for _, id := range []string{"sent", "waiting"} {
		m := &model.OutboxMessage{ID: id, Kind: model.MessageSMS, Sealed: []byte("x"), NextAttemptAt: t0, CreatedAt: t0}
		if err := st.EnqueueMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.ClaimMessages(ctx, t0, time.Minute, 1); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkMessageSent(ctx, "sent", 1, t0); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0.Add(24 * time.Hour))
	s := &sweep.Sweeper{Store: st, Now: clk.Now, OutboxRetention: 24 * time.Hour}
	for _, tt := range []struct {
		advance time.Duration
		deleted int
	}{{0, 0}, {time.Millisecond, 1}, {365 * 24 * time.Hour, 0}} {
		clk.Advance(tt.advance)
		if n, err := s.Sweep(ctx); err != nil || n != tt.deleted {
			t.Fatalf("at %v: Sweep = %d, %v; want %d", clk.Now(), n, err, tt.deleted)
		}
	}
	if b, err := st.OutboxBacklog(ctx, clk.Now()); err != nil || b.Waiting != 1 {
		t.Errorf("backlog = %+v, %v; want the unsent message kept", b, err)
	}
}
