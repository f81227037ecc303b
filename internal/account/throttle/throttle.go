package throttle

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/store"
)

// ErrLocked is matched by every *LockedError.
var ErrLocked = errors.New("too many attempts")

// LockedError says until when attempts are refused.
type LockedError struct {
	Until time.Time
	// Wait is how long that was when the error was made.
	Wait time.Duration
}

func locked(until, now time.Time) *LockedError {
	return &LockedError{Until: until, Wait: until.Sub(now)}
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many attempts; locked until %v", e.Until)
}
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// RetryAfter is the Retry-After header value for err's *LockedError: its
// Wait in whole seconds, rounded up, at least 1; "" when err has none.
func RetryAfter(err error) string {
	le, ok := errors.AsType[*LockedError](err)
	if !ok {
		return ""
	}
	return strconv.FormatInt(max(1, int64((le.Wait+time.Second-1)/time.Second)), 10)
}

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
	// Pending is how long the attempt that reaches a limit holds the lock
	// while it is judged: its failure makes it the whole lock, its success
	// lifts it. Others are refused meanwhile, so that no more attempts are
	// judged than the limit allows; but attempts in flight that succeed
	// (many users behind one address) do not lock anyone out for BaseLock.
	// 0: the whole lock at once.
	Pending time.Duration
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
	Window:           time.Hour,
	AccountLockAfter: 5,
	AddressLockAfter: 50,
	BaseLock:         time.Minute,
	MaxLock:          time.Hour,
	// Longer than a password check waits and takes (password.MaxWait, 2 s).
	Pending:                 5 * time.Second,
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
		return store.Lockout{After: after, Base: l.Policy.BaseLock, Max: l.Policy.MaxLock, Pending: l.Policy.Pending}
	}
	return []store.ThrottleKey{
		{Key: accountKey(account), Lockout: lockout(l.Policy.AccountLockAfter)},
		{Key: addressKey(addr), Lockout: lockout(l.Policy.AddressLockAfter)},
	}
}

// Attempt is a sign-in attempt that Begin let through; say how it ended
// with Failed, Succeeded or NotJudged.
type Attempt struct {
	l             *Limiter // nil: no limits
	account, addr string
	// locks are the locks this attempt's reservation set, as they are to
	// be when it fails: it was the last one allowed.
	locks []lock
}

// lock is a key's whole lock and the count that set it.
type lock struct {
	key   string
	until time.Time
	count int
}

// Begin reserves a sign-in attempt for account (a user id, or the key of an
// unknown login) from addr before its password is checked, so that
// concurrent guesses cannot outrun the count: it returns a *LockedError
// when either is locked, and no password may be checked then. An attempt
// that reaches a limit locks for Policy.Pending until it is judged. The
// attempt counts as a failure unless Succeeded or NotJudged says otherwise.
// A nil Limiter lets everything through.
func (l *Limiter) Begin(ctx context.Context, account, addr string) (*Attempt, error) {
	if l == nil {
		return &Attempt{}, nil
	}
	now := l.Now()
	keys := l.keys(account, addr)
	states, granted, err := l.Store.ReserveAttempt(ctx, now, l.Policy.Window, keys...)
	if err != nil {
		return nil, err
	}
	if !granted {
		var until time.Time
		for _, th := range states {
			if th.LockedUntil.After(until) {
				until = th.LockedUntil
			}
		}
		// Now, not now: the reservation may have waited for the database.
		return nil, locked(until, l.Now())
	}
	a := &Attempt{l: l, account: account, addr: addr}
	for i, th := range states {
		if d := keys[i].Lockout.For(th.Count); d > 0 {
			a.locks = append(a.locks, lock{key: th.Key, until: now.Add(d), count: th.Count})
		}
	}
	return a, nil
}

// Failed reports a wrong password. It returns a *LockedError when this was
// the last attempt allowed: the account or the address is locked now, for
// the whole lock (Begin's was pending), unless successes of attempts in
// flight with it gave theirs back meanwhile.
func (a *Attempt) Failed(ctx context.Context) error {
	if len(a.locks) == 0 {
		return nil
	}
	// The lock holds even when the client has gone meanwhile.
	ctx = context.WithoutCancel(ctx)
	var until time.Time
	for _, k := range a.locks {
		ok, err := a.l.Store.ConfirmLock(ctx, k.key, k.until, k.count)
		if err != nil {
			return err
		}
		if ok && k.until.After(until) {
			until = k.until
		}
	}
	if until.IsZero() {
		return nil
	}
	return locked(until, a.l.Now())
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
		return locked(th.WindowStart.Add(l.Policy.Window), l.Now())
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
	now := l.Now()
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
		th, err := l.Store.HitThrottle(ctx, lim.key, now, lim.window)
		if err != nil {
			return err
		}
		if th.Count > lim.max {
			return locked(th.WindowStart.Add(lim.window), now)
		}
	}
	return nil
}
