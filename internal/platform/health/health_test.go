package health

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// messages are the msg values of the logged lines, in order.
func (l *lockedBuffer) messages() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for line := range strings.SplitSeq(strings.TrimSpace(l.b.String()), "\n") {
		if _, rest, ok := strings.Cut(line, `msg="`); ok {
			msg, _, _ := strings.Cut(rest, `"`)
			out = append(out, msg)
		}
	}
	return out
}

// waitUntil polls cond; the deadline only stops a hung test.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestTrackerLogsStateChanges: a burst of failures is one "unavailable"
// line, the probe's first success one "available again" line, and a later
// outage starts over; busy and other errors never change the state.
func TestTrackerLogsStateChanges(t *testing.T) {
	var logs lockedBuffer
	var healthy atomic.Bool
	var probes atomic.Int64
	tr := New(Config{
		Logger:     slog.New(slog.NewTextHandler(&logs, nil)),
		ProbeEvery: time.Millisecond,
		Probe: func(context.Context) error {
			probes.Add(1)
			if healthy.Load() {
				return nil
			}
			return model.ErrUnavailable
		},
	})
	defer tr.Close()
	ctx := context.Background()
	unavailable := fmt.Errorf("sqlite: create tokens: %w: disk full", model.ErrUnavailable)

	if tr.Failed(ctx, errors.New("some bug")) || tr.Failed(ctx, nil) {
		t.Error("an ordinary error or nil counts as temporary")
	}
	if !tr.Failed(ctx, fmt.Errorf("hashing: %w", model.ErrBusy)) || !tr.Available() {
		t.Error("ErrBusy: want temporary, and the database still available")
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if !tr.Failed(ctx, unavailable) {
				t.Error("ErrUnavailable is not temporary")
			}
		})
	}
	wg.Wait()
	if tr.Available() {
		t.Fatal("still available after failures")
	}
	waitUntil(t, "probed three times", func() bool { return probes.Load() >= 3 })
	if !slices.Equal(logs.messages(), []string{"database unavailable"}) {
		t.Fatalf("while down, logged %q; want one line", logs.messages())
	}
	healthy.Store(true)
	waitUntil(t, "available again", tr.Available)
	tr.Failed(ctx, unavailable)
	tr.Failed(ctx, unavailable)
	waitUntil(t, "available after the second outage", tr.Available)
	want := []string{"database unavailable", "database available again", "database unavailable", "database available again"}
	if got := logs.messages(); !slices.Equal(got, want) {
		t.Errorf("logged %q, want %q", got, want)
	}
	if n := tr.Outages(); n != 2 {
		t.Errorf("Outages = %d, want 2", n)
	}
}

// TestNilTracker classifies without tracking, for handlers built without one.
func TestNilTracker(t *testing.T) {
	var tr *Tracker
	if !tr.Failed(context.Background(), model.ErrUnavailable) || !tr.Available() || tr.Outages() != 0 {
		t.Error("a nil tracker must classify and report the database available")
	}
	tr.Close()
}

func TestRetryAfter(t *testing.T) {
	if got := RetryAfter(fmt.Errorf("x: %w", model.ErrBusy)); got != "1" {
		t.Errorf("busy: Retry-After %q, want 1", got)
	}
	if got := RetryAfter(model.ErrUnavailable); got != "5" {
		t.Errorf("unavailable: Retry-After %q, want 5", got)
	}
}
