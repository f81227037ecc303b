package throttle

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// Store keeps the attempt counters, by key.
type Store interface {
	// HitThrottle adds one to key's count and returns the state after. A
	// window that began more than window before now starts afresh (count 1,
	// no lock). Concurrent hits are all counted.
	HitThrottle(ctx context.Context, key string, now time.Time, window time.Duration) (*model.Throttle, error)
	// ReserveAttempt atomically counts one attempt against every key before
	// the attempt is judged, as store.NextAttempt decides: unless one key is
	// locked at now (then nothing changes and granted is false), each key's
	// count grows by one and a key whose count reaches its Lockout.After
	// locks. It returns the keys' states after, in the order given.
	// Concurrent calls, from any number of processes, each see their own
	// count, so no more than Lockout.After attempts are granted before a key
	// locks.
	ReserveAttempt(ctx context.Context, now time.Time, window time.Duration, keys ...store.ThrottleKey) (states []*model.Throttle, granted bool, err error)
	// ReleaseAttempt takes back an attempt ReserveAttempt counted against
	// key, which turned out not to count (it succeeded): the count drops by
	// one and the key unlocks. An unknown key is not an error.
	ReleaseAttempt(ctx context.Context, key string) error
	// ConfirmLock locks key until until (or later, if it is already) and
	// reports true: an attempt whose reservation reached the limit failed,
	// so the lock it held while pending is the whole lock now. It changes
	// nothing and reports false when the key's count is below atLeast (a
	// success since gave an attempt back) or the key is unknown.
	ConfirmLock(ctx context.Context, key string, until time.Time, atLeast int) (bool, error)
	// ResetThrottle forgets key; resetting an unknown key is not an error.
	ResetThrottle(ctx context.Context, key string) error
}
