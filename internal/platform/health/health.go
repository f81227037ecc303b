package health

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Retry-After values, in seconds: a hashing queue drains within a second; a
// database restart or a freed disk takes a few.
const (
	retryBusy        = "1"
	retryUnavailable = "5"
)

// Temporary reports whether err is a condition that passes by itself
// (model.ErrUnavailable or model.ErrBusy), answered 503 with Retry-After
// rather than 500.
func Temporary(err error) bool {
	return errors.Is(err, model.ErrUnavailable) || errors.Is(err, model.ErrBusy)
}

// RetryAfter is the Retry-After header value for a Temporary error.
func RetryAfter(err error) string {
	if errors.Is(err, model.ErrBusy) {
		return retryBusy
	}
	return retryUnavailable
}

// DefaultProbeEvery is how often a down database is probed.
const DefaultProbeEvery = time.Second

// probeTimeout bounds one probe: a database that hangs is not back.
const probeTimeout = 5 * time.Second

// Config configures a Tracker.
type Config struct {
	// Probe tells whether the database serves again; it should write, since
	// a full or read-only database still answers reads (store.CheckWrite).
	// Nil: the first probe finds it up.
	Probe  func(context.Context) error
	Logger *slog.Logger
	// ProbeEvery is the time between probes while down; zero: DefaultProbeEvery.
	ProbeEvery time.Duration
	// Now times the outage for the log; nil: time.Now.
	Now func() time.Time
}

// Tracker holds the database's state. Its methods are safe for concurrent
// use and, on a nil *Tracker, classify errors without tracking anything.
type Tracker struct {
	cfg Config

	mu      sync.Mutex
	down    bool
	since   time.Time
	outages int64
	closed  bool
	stop    chan struct{}
	probing sync.WaitGroup
}

// New returns a Tracker that starts with the database up.
func New(cfg Config) *Tracker {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ProbeEvery <= 0 {
		cfg.ProbeEvery = DefaultProbeEvery
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Probe == nil {
		cfg.Probe = func(context.Context) error { return nil }
	}
	return &Tracker{cfg: cfg, stop: make(chan struct{})}
}

// Failed reports whether err is Temporary, so that the caller answers 503
// (and need not log it). An unavailable database is marked down; only the
// first such failure is logged, with ctx's request id.
func (t *Tracker) Failed(ctx context.Context, err error) bool {
	if !Temporary(err) {
		return false
	}
	if t == nil || !errors.Is(err, model.ErrUnavailable) {
		return true
	}
	t.mu.Lock()
	if t.down || t.closed {
		t.mu.Unlock()
		return true
	}
	t.down, t.since = true, t.cfg.Now()
	t.outages++
	t.probing.Add(1)
	// Logged under the lock, so that the lines of two outages never cross.
	t.cfg.Logger.ErrorContext(ctx, "database unavailable", "err", err,
		"detail", "answering 503 with Retry-After; probing every "+t.cfg.ProbeEvery.String()+" until it recovers")
	t.mu.Unlock()
	go t.probeUntilUp()
	return true
}

// probeUntilUp probes until the database takes a write or Close is called.
func (t *Tracker) probeUntilUp() {
	defer t.probing.Done()
	tick := time.NewTicker(t.cfg.ProbeEvery)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		err := t.cfg.Probe(ctx)
		cancel()
		if err != nil {
			continue
		}
		t.mu.Lock()
		t.down = false
		t.cfg.Logger.Info("database available again", "unavailable_seconds", t.cfg.Now().Sub(t.since).Seconds())
		t.mu.Unlock()
		return
	}
}

// Available reports whether the database is up as far as requests found.
func (t *Tracker) Available() bool {
	if t == nil {
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.down
}

// Outages counts the times the database was marked down.
func (t *Tracker) Outages() int64 {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.outages
}

// Close stops probing; the state stays as it is.
func (t *Tracker) Close() {
	if t == nil {
		return
	}
	t.mu.Lock()
	if !t.closed {
		t.closed = true
		close(t.stop)
	}
	t.mu.Unlock()
	t.probing.Wait()
}
