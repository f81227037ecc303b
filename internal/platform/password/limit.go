package password

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// MemoryPerHash is what one hash or verification allocates (the argon2id
// memory parameter, as the PHC strings this package writes say).
const MemoryPerHash = memoryKiB << 10

// Queueing: a request waits for a free slot behind at most QueuePerSlot
// others per slot, and for at most MaxWait; after that it is refused.
const (
	QueuePerSlot = 16
	MaxWait      = 2 * time.Second
)

// DefaultConcurrency is one hash per CPU the process may use: argon2id with
// one lane keeps a CPU busy, so more at once only adds memory and latency.
func DefaultConcurrency() int { return max(1, runtime.GOMAXPROCS(0)) }

// Limiter bounds how many hashes and verifications run at once, and so the
// memory they take (MemoryPerHash each). Others wait in a short queue for at
// most their wait; a full queue or a wait run out gives model.ErrBusy.
// Its methods are safe for concurrent use; a nil *Limiter does not limit.
type Limiter struct {
	slots   chan struct{} // one token per running hash
	queue   chan struct{} // one token per waiting request
	wait    time.Duration
	refused atomic.Int64
}

// NewLimiter lets concurrency hashes run at once, queue more wait, each for
// at most wait.
func NewLimiter(concurrency, queue int, wait time.Duration) *Limiter {
	return &Limiter{slots: make(chan struct{}, max(1, concurrency)), queue: make(chan struct{}, max(0, queue)), wait: wait}
}

// NewDefaultLimiter runs concurrency hashes at once (DefaultConcurrency when
// 0) with QueuePerSlot waiting per slot for at most MaxWait.
func NewDefaultLimiter(concurrency int) *Limiter {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency()
	}
	return NewLimiter(concurrency, QueuePerSlot*concurrency, MaxWait)
}

// Concurrency is how many hashes may run at once.
func (l *Limiter) Concurrency() int { return cap(l.slots) }

// Running is how many hashes run now; Queued how many wait.
func (l *Limiter) Running() int { return len(l.slots) }

// Queued is how many requests wait for a slot now.
func (l *Limiter) Queued() int { return len(l.queue) }

// Refused counts the requests refused with model.ErrBusy.
func (l *Limiter) Refused() int64 { return l.refused.Load() }

// Acquire takes a slot, waiting in the queue if it must; call release when
// the hash is done. Tests hold slots with it.
func (l *Limiter) Acquire(ctx context.Context) (release func(), err error) {
	if l == nil {
		return func() {}, nil
	}
	release = func() { <-l.slots }
	select {
	case l.slots <- struct{}{}:
		return release, nil
	default:
	}
	select {
	case l.queue <- struct{}{}:
	default:
		l.refused.Add(1)
		return nil, fmt.Errorf("password hashing: %d running, %d waiting: %w", l.Running(), l.Queued(), model.ErrBusy)
	}
	defer func() { <-l.queue }()
	timer := time.NewTimer(l.wait)
	defer timer.Stop()
	select {
	case l.slots <- struct{}{}:
		return release, nil
	case <-timer.C:
		l.refused.Add(1)
		return nil, fmt.Errorf("password hashing: no slot within %s: %w", l.wait, model.ErrBusy)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Hash is Hash within the limit.
func (l *Limiter) Hash(ctx context.Context, rand io.Reader, pw string) (string, error) {
	release, err := l.Acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return Hash(rand, pw)
}

// Verify is Verify within the limit.
func (l *Limiter) Verify(ctx context.Context, encoded, pw string) (bool, error) {
	release, err := l.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return Verify(encoded, pw)
}
