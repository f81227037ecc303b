package throttle

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/opengenauth/genauth/internal/platform/loginid"
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
	// PasskeyBeginsPerAddress passwordless passkey ceremonies may begin
	// from one address per Window: each stores a ticket, and asks nothing.
	PasskeyBeginsPerAddress int
	// Verification codes (contract 3.1): one send per SendInterval to a
	// destination for one channel; SendsPerAddress sends from one client
	// address and SendsPerApp for one application per Window. Zero: no limit.
	SendInterval    time.Duration
	SendsPerAddress int
	SendsPerApp     int
}

// DefaultPolicy is what `genauth serve` runs with.
var DefaultPolicy = Policy{
	Window:                  time.Hour,
	AccountLockAfter:        5,
	AddressLockAfter:        50,
	BaseLock:                time.Minute,
	MaxLock:                 time.Hour,
	RegistrationsPerAddress: 10,
	PasskeyBeginsPerAddress: 300,
	SendInterval:            time.Minute,
	SendsPerAddress:         20,
	SendsPerApp:             1000,
}

// Limiter applies a Policy.
type Limiter struct {
	Store  Store
	Now    func() time.Time
	Policy Policy
	// LoginKey keys the hashes that name unknown logins (UnknownAccount).
	LoginKey []byte
}

// LoginKeyPurpose is what the server derives LoginKey for from its secret key.
const LoginKeyPurpose = "throttle unknown login"

// UserAccount names the account of the user id.
func UserAccount(id string) string { return "user:" + id }

// UnknownAccount names the account of a login that names no user: a keyed
// hash (HMAC-SHA256 under LoginKey) of its normalised form, so that its
// variants share one count and the login, which may be a password typed in
// the username box, is never stored.
func (l *Limiter) UnknownAccount(login string) string {
	var key []byte
	if l != nil {
		key = l.LoginKey
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(loginid.UsernameKey(login)))
	return "name:" + hex.EncodeToString(mac.Sum(nil))
}

func accountKey(account string) string { return "login:" + account }
func addressKey(addr string) string    { return "addr:" + addr }
func registerKey(addr string) string   { return "register:" + addr }

// keys are the throttle keys a sign-in for account from addr counts against.
func (l *Limiter) keys(account, addr string) []store.ThrottleKey {
	lockout := func(after int) store.Lockout {
		return store.Lockout{After: after, Base: l.Policy.BaseLock, Max: l.Policy.MaxLock}
	}
	return []store.ThrottleKey{
		{Key: accountKey(account), Lockout: lockout(l.Policy.AccountLockAfter)},
		{Key: addressKey(addr), Lockout: lockout(l.Policy.AddressLockAfter)},
	}
}

// Attempt is a sign-in attempt that Begin let through; say how it ended
// with Failed or Succeeded.
type Attempt struct {
	l             *Limiter // nil: no limits
	account, addr string
	// lockedBy is when the lock this attempt's reservation set ends: the
	// attempt was the last one allowed. Zero: it set none.
	lockedBy time.Time
}

// Begin reserves a sign-in attempt for account (a user id, or the key of an
// unknown login) from addr before its password is checked, so that
// concurrent guesses cannot outrun the count: it returns a *LockedError
// when either is locked, and no password may be checked then. The attempt
// counts as a failure unless Succeeded says otherwise. A nil Limiter lets
// everything through.
func (l *Limiter) Begin(ctx context.Context, account, addr string) (*Attempt, error) {
	if l == nil {
		return &Attempt{}, nil
	}
	now := l.Now()
	states, granted, err := l.Store.ReserveAttempt(ctx, now, l.Policy.Window, l.keys(account, addr)...)
	if err != nil {
		return nil, err
	}
	var until time.Time
	for _, th := range states {
		if th.LockedUntil.After(now) && th.LockedUntil.After(until) {
			until = th.LockedUntil
		}
	}
	if !granted {
		return nil, &LockedError{Until: until}
	}
	return &Attempt{l: l, account: account, addr: addr, lockedBy: until}, nil
}

// Failed reports a wrong password. It returns a *LockedError when this was
// the last attempt allowed: the account or the address is locked now.
func (a *Attempt) Failed() error {
	if a.lockedBy.IsZero() {
		return nil
	}
	return &LockedError{Until: a.lockedBy}
}

// Succeeded reports a right password: the account's failures are
// forgotten and the address gets its attempt back.
func (a *Attempt) Succeeded(ctx context.Context) error {
	if a.l == nil {
		return nil
	}
	if err := a.l.Store.ResetThrottle(ctx, accountKey(a.account)); err != nil {
		return err
	}
	return a.l.Store.ReleaseAttempt(ctx, addressKey(a.addr))
}

// Clear forgets the failures of the user id's account and lifts its lock:
// its password was just reset by someone who proved they hold its email or
// phone.
func (l *Limiter) Clear(ctx context.Context, userID string) error {
	return l.Store.ResetThrottle(ctx, accountKey(UserAccount(userID)))
}

// NotJudged gives the attempt back to the account and the address: its
// password was never checked (the server was too busy to hash it), so it
// counts as no attempt.
func (a *Attempt) NotJudged(ctx context.Context) error {
	if a.l == nil {
		return nil
	}
	if err := a.l.Store.ReleaseAttempt(ctx, accountKey(a.account)); err != nil {
		return err
	}
	return a.l.Store.ReleaseAttempt(ctx, addressKey(a.addr))
}

// AllowRegistration counts a registration attempt from addr and returns a
// *LockedError when addr is over its limit.
func (l *Limiter) AllowRegistration(ctx context.Context, addr string) error {
	return l.allowPerAddress(ctx, registerKey(addr), l.Policy.RegistrationsPerAddress)
}

// AllowPasskeyBegin counts the start of a passwordless passkey sign-in
// from addr and returns a *LockedError when addr is over its limit.
func (l *Limiter) AllowPasskeyBegin(ctx context.Context, addr string) error {
	return l.allowPerAddress(ctx, "passkeybegin:"+addr, l.Policy.PasskeyBeginsPerAddress)
}

// allowPerAddress counts a request under key, allowing max per Window
// (max 0: no limit).
func (l *Limiter) allowPerAddress(ctx context.Context, key string, max int) error {
	if max <= 0 {
		return nil
	}
	th, err := l.Store.HitThrottle(ctx, key, l.Now(), l.Policy.Window)
	if err != nil {
		return err
	}
	if th.Count > max {
		return &LockedError{Until: th.WindowStart.Add(l.Policy.Window)}
	}
	return nil
}

// AllowSend counts a verification code sent to destination for channel,
// asked from addr for the application app, and returns a *LockedError when
// any limit of the Policy is over. The destination is counted under a keyed
// hash (LoginKey), so that no address is stored with its count.
func (l *Limiter) AllowSend(ctx context.Context, app, channel, destination, addr string) error {
	mac := hmac.New(sha256.New, l.LoginKey)
	fmt.Fprintf(mac, "%d:%s%s", len(channel), channel, destination)
	for _, lim := range []struct {
		key    string
		window time.Duration
		max    int
	}{
		{"send:" + hex.EncodeToString(mac.Sum(nil)), l.Policy.SendInterval, 1},
		{"sendaddr:" + addr, l.Policy.Window, l.Policy.SendsPerAddress},
		{"sendapp:" + app, l.Policy.Window, l.Policy.SendsPerApp},
	} {
		if lim.window <= 0 || lim.max <= 0 {
			continue
		}
		th, err := l.Store.HitThrottle(ctx, lim.key, l.Now(), lim.window)
		if err != nil {
			return err
		}
		if th.Count > lim.max {
			return &LockedError{Until: th.WindowStart.Add(lim.window)}
		}
	}
	return nil
}
