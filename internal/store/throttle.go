package store

import (
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Lockout says when a throttle key locks: at the After-th attempt of a
// window, for Base, doubled for each attempt beyond After, at most Max.
// After 0 never locks.
type Lockout struct {
	After     int
	Base, Max time.Duration
	// Pending, when shorter, is how long the attempt that locks the key
	// holds the lock while it is judged: until its failure confirms the
	// whole lock or its success lifts it. 0: the whole lock at once.
	Pending time.Duration
}

// For is how long the count-th attempt of a window locks the key; 0: not at all.
func (l Lockout) For(count int) time.Duration {
	if l.After <= 0 || count < l.After {
		return 0
	}
	d := l.Base
	for range min(count-l.After, 32) {
		if d >= l.Max {
			break
		}
		d *= 2
	}
	return min(d, l.Max)
}

// ThrottleKey is a key an attempt counts against, and when it locks.
type ThrottleKey struct {
	Key     string
	Lockout Lockout
}

// NextAttempt is the decision of ReserveAttempt, for the backends to apply
// while they hold the keys: given the keys' states (nil: no row yet), it
// returns their states after the attempt and whether it is granted. A key
// locked at now refuses the attempt and nothing changes; otherwise every
// key counts it, in a new window when the old one began at least window
// before now, and locks when its Lockout says so (for its Pending time when
// it has one).
func NextAttempt(current []*model.Throttle, now time.Time, window time.Duration, keys []ThrottleKey) ([]*model.Throttle, bool) {
	states := make([]*model.Throttle, len(keys))
	granted := true
	for i, k := range keys {
		if current[i] == nil {
			states[i] = &model.Throttle{Key: k.Key, WindowStart: now}
			continue
		}
		th := *current[i]
		states[i] = &th
		if th.LockedUntil.After(now) {
			granted = false
		}
	}
	if !granted {
		return states, false
	}
	for i, k := range keys {
		th := states[i]
		if current[i] != nil && !th.WindowStart.After(now.Add(-window)) {
			*th = model.Throttle{Key: k.Key, WindowStart: now}
		}
		th.Count++
		if d := k.Lockout.For(th.Count); d > 0 {
			if k.Lockout.Pending > 0 {
				d = min(d, k.Lockout.Pending)
			}
			th.LockedUntil = now.Add(d)
		}
		th.ExpiresAt = th.WindowStart.Add(window)
		if th.LockedUntil.After(th.ExpiresAt) {
			th.ExpiresAt = th.LockedUntil
		}
	}
	return states, true
}
