package throttle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/opengenauth/genauth"
	"github.com/opengenauth/genauth/internal/store"
)

// ErrLocked is matched by every *LockedError.
var ErrLocked = errors.New("too many attempts")

// LockedError says until when attempts are refused.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many attempts; locked until %v", e.Until)
}
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Policy sets the limits.
type Policy struct {
	// Window is how long failures are remembered.
	Window time.Duration
	// AccountLockAfter failures on one account lock it; AddressLockAfter
	// failures from one address lock the address (any account).
	AccountLockAfter int
	AddressLockAfter int
	// The first lock lasts BaseLock, each further failure doubles it, up to MaxLock.
	BaseLock time.Duration
	MaxLock  time.Duration
	// RegistrationsPerAddress registrations are allowed per Window.
	RegistrationsPerAddress int
}

// DefaultPolicy is what `genauth serve` runs with.
var DefaultPolicy = Policy{
	Window:                  time.Hour,
	AccountLockAfter:        5,
	AddressLockAfter:        50,
	BaseLock:                time.Minute,
	MaxLock:                 time.Hour,
	RegistrationsPerAddress: 10,
}

// Limiter applies a Policy.
type Limiter struct {
	Store  store.Store
	Now    func() time.Time
	Policy Policy
}

func accountKey(account string) string { return "login:" + strings.ToLower(strings.TrimSpace(account)) }
func addressKey(addr string) string    { return "addr:" + addr }
func registerKey(addr string) string   { return "register:" + addr }

// CheckLogin returns a *LockedError when sign-ins for account (a user id, or
// the login typed for an unknown one) or from addr are locked now.
func (l *Limiter) CheckLogin(ctx context.Context, account, addr string) error {
	now := l.Now()
	var until time.Time
	for _, key := range []string{accountKey(account), addressKey(addr)} {
		th, err := l.Store.GetThrottle(ctx, key)
		if errors.Is(err, genauth.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if th.LockedUntil.After(now) && th.LockedUntil.After(until) {
			until = th.LockedUntil
		}
	}
	if !until.IsZero() {
		return &LockedError{Until: until}
	}
	return nil
}

// LoginFailed counts a failed sign-in and returns a *LockedError when it
// locked the account or the address.
func (l *Limiter) LoginFailed(ctx context.Context, account, addr string) error {
	now := l.Now()
	var until time.Time
	for _, k := range []struct {
		key   string
		after int
	}{{accountKey(account), l.Policy.AccountLockAfter}, {addressKey(addr), l.Policy.AddressLockAfter}} {
		th, err := l.Store.HitThrottle(ctx, k.key, now, l.Policy.Window)
		if err != nil {
			return err
		}
		if k.after <= 0 || th.Count < k.after {
			continue
		}
		end := now.Add(l.lockFor(th.Count - k.after))
		if err := l.Store.LockThrottle(ctx, k.key, end); err != nil {
			return err
		}
		if end.After(until) {
			until = end
		}
	}
	if !until.IsZero() {
		return &LockedError{Until: until}
	}
	return nil
}

// lockFor is BaseLock doubled extra times, at most MaxLock.
func (l *Limiter) lockFor(extra int) time.Duration {
	d := l.Policy.BaseLock
	for range min(extra, 32) {
		if d >= l.Policy.MaxLock {
			break
		}
		d *= 2
	}
	return min(d, l.Policy.MaxLock)
}

// LoginSucceeded forgets the account's failures (not the address's).
func (l *Limiter) LoginSucceeded(ctx context.Context, account string) error {
	return l.Store.ResetThrottle(ctx, accountKey(account))
}

// AllowRegistration counts a registration attempt from addr and returns a
// *LockedError when addr is over its limit.
func (l *Limiter) AllowRegistration(ctx context.Context, addr string) error {
	if l.Policy.RegistrationsPerAddress <= 0 {
		return nil
	}
	th, err := l.Store.HitThrottle(ctx, registerKey(addr), l.Now(), l.Policy.Window)
	if err != nil {
		return err
	}
	if th.Count > l.Policy.RegistrationsPerAddress {
		return &LockedError{Until: th.WindowStart.Add(l.Policy.Window)}
	}
	return nil
}
