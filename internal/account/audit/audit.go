package audit

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/health"
)

// Batch bounds: a batch is written when it holds maxBatch events or is
// flushEvery old, whichever comes first.
const (
	maxBatch   = 256
	flushEvery = 200 * time.Millisecond
	queueLen   = 4096
)

// Recorder records security events. A synchronous Recorder (NewSync)
// writes each event before Record returns; an asynchronous one (Start)
// batches the writes off the request path and must be Closed.
type Recorder struct {
	store  Store
	logger *slog.Logger
	now    func() time.Time

	queue chan *model.AuditEvent // nil: synchronous
	done  chan struct{}
	once  sync.Once

	observe func(model.AuditEvent) // nil: none
	health  *health.Tracker        // nil: none
}

// Observe makes the Recorder pass every event to fn as it is recorded, on
// the recording goroutine (fn must be quick), as metrics count them. Call it
// before the Recorder is used.
func (r *Recorder) Observe(fn func(model.AuditEvent)) { r.observe = fn }

// Track reports to t when the database is unavailable for the events'
// rows; the failure is then not logged per batch (t logs the outage once,
// and each event's own log line stays its record). Call it before the
// Recorder is used.
func (r *Recorder) Track(t *health.Tracker) { r.health = t }

// NewSync returns a Recorder that writes every event as it is recorded.
func NewSync(st Store, logger *slog.Logger, now func() time.Time) *Recorder {
	return &Recorder{store: st, logger: logger, now: now}
}

// Start returns a Recorder that writes events in batches from a goroutine.
// At most flushEvery of events are lost if the process dies; Close writes
// what is queued.
func Start(st Store, logger *slog.Logger, now func() time.Time) *Recorder {
	r := &Recorder{store: st, logger: logger, now: now,
		queue: make(chan *model.AuditEvent, queueLen), done: make(chan struct{})}
	go r.run()
	return r
}

// Record logs e and stores it; Time is set when zero.
func (r *Recorder) Record(ctx context.Context, e model.AuditEvent) {
	if e.Time.IsZero() {
		e.Time = r.now().UTC()
	}
	level := slog.LevelInfo
	switch e.Type {
	case model.AuditLoginFailure, model.AuditLoginLockout, model.AuditCodeReuse,
		model.AuditRefreshReuse, model.AuditRegisterRefuse:
		level = slog.LevelWarn
	}
	r.logger.LogAttrs(ctx, level, "audit", slog.String("event", e.Type), slog.String("user_id", e.UserID),
		slog.String("client_id", e.ClientID), slog.String("ip", e.IP), slog.String("detail", e.Detail))
	if r.observe != nil {
		r.observe(e)
	}
	if r.queue == nil {
		r.write(ctx, []*model.AuditEvent{&e})
		return
	}
	select {
	case r.queue <- &e:
	default:
		// The database cannot keep up: the log line above is the record.
		r.logger.WarnContext(ctx, "audit queue full; event only logged", "event", e.Type)
	}
}

func (r *Recorder) write(ctx context.Context, batch []*model.AuditEvent) {
	// The request may be gone; the record must not be.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.store.AppendAuditEvents(ctx, batch...); err != nil && (r.health == nil || !r.health.Failed(ctx, err)) {
		r.logger.ErrorContext(ctx, "storing audit events", "err", err, "events", len(batch))
	}
}

func (r *Recorder) run() {
	defer close(r.done)
	var batch []*model.AuditEvent
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
	flush := func() {
		if len(batch) > 0 {
			r.write(context.Background(), batch)
			batch = nil
		}
	}
	for {
		select {
		case e, ok := <-r.queue:
			if !ok {
				flush()
				return
			}
			if batch = append(batch, e); len(batch) >= maxBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// Close writes what is queued and stops an asynchronous Recorder.
func (r *Recorder) Close() {
	if r.queue == nil {
		return
	}
	r.once.Do(func() {
		close(r.queue)
		<-r.done
	})
}

// ClientIP is the address a request came from, for events and throttles.
func ClientIP(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}
