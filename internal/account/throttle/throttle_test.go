package throttle

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

func newLimiter(t *testing.T) (*Limiter, *clock.Fake, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "throttle.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	p := DefaultPolicy
	p.AddressLockAfter = 8
	p.RegistrationsPerAddress = 3
	p.PasskeyBeginsPerAddress = 3
	return &Limiter{Store: st, Now: c.Now, Policy: p}, c, st
}

func lockedFor(t *testing.T, err error, now time.Time) time.Duration {
	t.Helper()
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v; want a *LockedError", err)
	}
	return le.Until.Sub(now)
}

// fail makes one sign-in attempt that fails and returns what the limiter said.
func fail(t *testing.T, l *Limiter, account, addr string) error {
	t.Helper()
	a, err := l.Begin(t.Context(), account, addr)
	if err != nil {
		return err
	}
	return a.Failed(t.Context())
}

func TestAccountLockoutBacksOff(t *testing.T) {
	l, c, _ := newLimiter(t)
	ctx := t.Context()
	for i := 1; i < 5; i++ {
		if err := fail(t, l, "user:ada", "192.0.2.1"); err != nil {
			t.Fatalf("failure %d: %v; want no lock yet", i, err)
		}
	}
	// The fifth attempt is judged, and its failure locks for a minute.
	if d := lockedFor(t, fail(t, l, "user:ada", "192.0.2.2"), c.Now()); d != time.Minute {
		t.Errorf("first lock lasts %v; want 1m", d)
	}
	if d := lockedFor(t, fail(t, l, "user:ada", "198.51.100.1"), c.Now()); d != time.Minute {
		t.Errorf("attempt while locked: %v left; want 1m", d)
	}
	c.Advance(time.Minute)
	// Each further failure in the window doubles the lock, up to the maximum.
	for i, want := range []time.Duration{2 * time.Minute, 4 * time.Minute, 8 * time.Minute} {
		if d := lockedFor(t, fail(t, l, "user:ada", fmt.Sprintf("203.0.113.%d", i+1)), c.Now()); d != want {
			t.Errorf("lock %d lasts %v; want %v", i+2, d, want)
		}
		c.Advance(want)
	}
	// Success forgets the account's failures.
	a, err := l.Begin(ctx, "user:ada", "198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Succeeded(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 5; i++ {
		if err := fail(t, l, "user:ada", "198.51.100.1"); err != nil {
			t.Fatalf("failure %d after a success: %v; want the count cleared", i, err)
		}
	}
}

func TestAddressLockout(t *testing.T) {
	l, c, _ := newLimiter(t)
	// One address trying many accounts is locked after AddressLockAfter failures.
	var err error
	for i := range 8 {
		err = fail(t, l, "name:user"+string(rune('a'+i)), "192.0.2.9")
	}
	lockedFor(t, err, c.Now())
	lockedFor(t, fail(t, l, "name:someone-else", "192.0.2.9"), c.Now())
	if err := fail(t, l, "name:someone-else", "192.0.2.10"); err != nil {
		t.Errorf("another address is locked too: %v", err)
	}
	// The window passes: failures are forgotten.
	c.Advance(time.Hour + time.Minute)
	if err := fail(t, l, "name:usera", "192.0.2.9"); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

// TestSuccessesDoNotLockTheAddress: every attempt is counted before it is
// judged, and a success gives the address its attempt back, so that many
// users behind one address can sign in all day.
func TestSuccessesDoNotLockTheAddress(t *testing.T) {
	l, _, _ := newLimiter(t)
	for i := range 20 {
		a, err := l.Begin(t.Context(), fmt.Sprintf("user:%d", i), "192.0.2.9")
		if err != nil {
			t.Fatalf("sign-in %d: %v", i+1, err)
		}
		if err := a.Succeeded(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPerAddressLimits: registrations and passwordless passkey begins,
// three of each per address per hour here, counted apart.
func TestPerAddressLimits(t *testing.T) {
	for _, tt := range []struct {
		name  string
		allow func(*Limiter, context.Context, string) error
	}{
		{"registration", (*Limiter).AllowRegistration},
		{"passkey begin", (*Limiter).AllowPasskeyBegin},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, c, _ := newLimiter(t)
			ctx := t.Context()
			for i := range 3 {
				if err := tt.allow(l, ctx, "192.0.2.1"); err != nil {
					t.Fatalf("request %d: %v", i+1, err)
				}
			}
			lockedFor(t, tt.allow(l, ctx, "192.0.2.1"), c.Now())
			if err := tt.allow(l, ctx, "192.0.2.2"); err != nil {
				t.Errorf("another address: %v", err)
			}
			other := (*Limiter).AllowPasskeyBegin
			if tt.name != "registration" {
				other = (*Limiter).AllowRegistration
			}
			if err := other(l, ctx, "192.0.2.1"); err != nil {
				t.Errorf("the other limit: %v", err)
			}
			c.Advance(time.Hour)
			if err := tt.allow(l, ctx, "192.0.2.1"); err != nil {
				t.Errorf("a new window: %v", err)
			}
		})
	}
}

// TestLockHoldsAcrossRestarts: the state is in the database, so a new
// Limiter (a restarted or another node) sees the lock.
func TestLockHoldsAcrossRestarts(t *testing.T) {
	l, c, st := newLimiter(t)
	for range 5 {
		_ = fail(t, l, "user:ada", "192.0.2.1")
	}
	other := &Limiter{Store: st, Now: c.Now, Policy: DefaultPolicy}
	_, err := other.Begin(t.Context(), "user:ada", "198.51.100.7")
	lockedFor(t, err, c.Now())
}

// TestUnknownAccount: an unknown login is counted under a keyed hash of its
// normalised form: variants share it, the login does not appear in it, and
// another server secret gives another name.
func TestUnknownAccount(t *testing.T) {
	l := &Limiter{LoginKey: []byte("key one")}
	name := l.UnknownAccount("Secret-In-The-Username-Box")
	for _, v := range []string{" secret-in-the-username-box", "\u00a0SECRET-IN-THE-USERNAME-BOX\t", "ｓｅｃｒｅｔ-in-the-username-box"} {
		if got := l.UnknownAccount(v); got != name {
			t.Errorf("UnknownAccount(%q) = %q; want %q, as for the other spellings", v, got, name)
		}
	}
	if strings.Contains(strings.ToLower(name), "secret") || !strings.HasPrefix(name, "name:") || len(name) != len("name:")+64 {
		t.Errorf("UnknownAccount = %q; want name: and a hex HMAC-SHA256, without the login", name)
	}
	if l.UnknownAccount("someone-else") == name {
		t.Error("two logins share a name")
	}
	if (&Limiter{LoginKey: []byte("key two")}).UnknownAccount("Secret-In-The-Username-Box") == name {
		t.Error("another key gives the same name: the hash is not keyed")
	}
}

// TestNotJudgedGivesTheAttemptBack: attempts refused before their password
// was checked (hashing busy) count against neither the account nor the
// address, however many there are; judged failures still lock as before.
func TestNotJudgedGivesTheAttemptBack(t *testing.T) {
	l, _, _ := newLimiter(t)
	ctx := t.Context()
	for i := 1; i <= 4; i++ {
		if err := fail(t, l, "user:ada", "192.0.2.1"); err != nil {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	for i := range 20 { // more than the account's 5 and the address's 8
		a, err := l.Begin(ctx, "user:ada", "192.0.2.1")
		if err != nil {
			t.Fatalf("unjudged attempt %d refused: %v", i+1, err)
		}
		if err := a.NotJudged(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := fail(t, l, "user:ada", "192.0.2.1"); !errors.Is(err, ErrLocked) {
		t.Fatalf("the fifth judged failure: %v; want it to lock the account", err)
	}
}

func TestSendLimits(t *testing.T) {
	l, c, _ := newLimiter(t)
	l.Policy.SendsPerAddress = 3
	l.Policy.SendsPerApp = 4
	ctx := t.Context()
	send := func(app, channel, dest, addr string) error {
		return l.AllowSend(ctx, app, channel, dest, addr)
	}
	if err := send("app1", "CHANNEL_LOGIN", "ann@example.com", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	// One per minute per (destination, channel).
	if d := lockedFor(t, send("app1", "CHANNEL_LOGIN", "ann@example.com", "192.0.2.9"), c.Now()); d != time.Minute {
		t.Errorf("second send locked for %v, want 1m", d)
	}
	if err := send("app1", "CHANNEL_REGISTER", "ann@example.com", "192.0.2.2"); err != nil {
		t.Errorf("another channel: %v", err)
	}
	c.Advance(time.Minute)
	if err := send("app1", "CHANNEL_LOGIN", "ann@example.com", "192.0.2.3"); err != nil {
		t.Errorf("a minute later: %v", err)
	}
	// The per-address cap (3 here) counts every destination.
	for i, dest := range []string{"a@example.com", "b@example.com"} {
		if err := send("app2", "CHANNEL_LOGIN", dest, "192.0.2.1"); err != nil {
			t.Fatalf("send %d from the address: %v", i+2, err)
		}
	}
	lockedFor(t, send("app2", "CHANNEL_LOGIN", "c@example.com", "192.0.2.1"), c.Now())
	// The per-application cap (4 here): app1 has sent 3, the locked send above did not reach it.
	if err := send("app1", "CHANNEL_LOGIN", "d@example.com", "192.0.2.5"); err != nil {
		t.Fatalf("fourth send of app1: %v", err)
	}
	lockedFor(t, send("app1", "CHANNEL_LOGIN", "e@example.com", "192.0.2.6"), c.Now())
}

// TestPendingLock: the attempt that reaches the address's limit holds the
// lock only while the attempts in flight are judged. Others are refused
// meanwhile, told to wait the pending time, not the whole lock; failures
// make it the whole lock, successes (many users behind one address) lift it.
func TestPendingLock(t *testing.T) {
	for _, tt := range []struct {
		name     string
		fail     bool
		wantLock time.Duration // once all are judged; 0: none
	}{
		{"the attempts in flight fail", true, time.Minute},
		{"the attempts in flight succeed", false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, c, _ := newLimiter(t)
			ctx := t.Context()
			var inFlight []*Attempt
			for i := range 8 { // the address's limit here
				a, err := l.Begin(ctx, fmt.Sprintf("user:%d", i), "192.0.2.9")
				if err != nil {
					t.Fatalf("attempt %d: %v", i+1, err)
				}
				inFlight = append(inFlight, a)
			}
			_, err := l.Begin(ctx, "user:late", "192.0.2.9")
			if d := lockedFor(t, err, c.Now()); d != l.Policy.Pending {
				t.Errorf("refused while attempts are judged: wait %v; want the pending %v", d, l.Policy.Pending)
			}
			for i, a := range inFlight {
				if !tt.fail {
					err = a.Succeeded(ctx)
				} else if err = a.Failed(ctx); i == len(inFlight)-1 {
					if d := lockedFor(t, err, c.Now()); d != tt.wantLock {
						t.Errorf("the last failure locks for %v; want %v", d, tt.wantLock)
					}
					err = nil
				}
				if err != nil {
					t.Fatalf("attempt %d: %v", i+1, err)
				}
			}
			c.Advance(l.Policy.Pending)
			_, err = l.Begin(ctx, "user:late", "192.0.2.9")
			if tt.wantLock == 0 {
				if err != nil {
					t.Errorf("after the pending time: %v; want no lock", err)
				}
				return
			}
			if d := lockedFor(t, err, c.Now()); d != tt.wantLock-l.Policy.Pending {
				t.Errorf("after the pending time: %v left; want %v", d, tt.wantLock-l.Policy.Pending)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&LockedError{Wait: time.Minute}, "60"},
		{&LockedError{Wait: 59*time.Second + time.Millisecond}, "60"},
		{&LockedError{Wait: 4500 * time.Millisecond}, "5"},
		{&LockedError{Wait: time.Millisecond}, "1"},
		{&LockedError{Wait: -time.Second}, "1"},
		{fmt.Errorf("sign-in: %w", &LockedError{Wait: 2 * time.Second}), "2"},
		{errors.New("other"), ""},
		{nil, ""},
	} {
		if got := RetryAfter(tt.err); got != tt.want {
			t.Errorf("RetryAfter(%v) = %q; want %q", tt.err, got, tt.want)
		}
	}
}

// A client that leaves while its deciding attempt is judged does not cut
// the lock down to the pending time.
func TestFailedLocksAfterTheClientLeft(t *testing.T) {
	l, c, st := newLimiter(t)
	l.Store = ctxStore{st}
	for i := range l.Policy.AccountLockAfter - 1 {
		if err := fail(t, l, "user:1", "192.0.2.7"); err != nil {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	a, err := l.Begin(t.Context(), "user:1", "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(t.Context())
	cancel()
	if d := lockedFor(t, a.Failed(gone), c.Now()); d != l.Policy.BaseLock {
		t.Errorf("the deciding failure locks for %v; want %v", d, l.Policy.BaseLock)
	}
	c.Advance(l.Policy.Pending)
	_, err = l.Begin(t.Context(), "user:1", "192.0.2.7")
	if d := lockedFor(t, err, c.Now()); d != l.Policy.BaseLock-l.Policy.Pending {
		t.Errorf("after the pending time: %v left; want %v", d, l.Policy.BaseLock-l.Policy.Pending)
	}
}

// ctxStore is the SQLite store with the behaviour PostgreSQL's has and
// SQLite's write transactions do not: a cancelled context fails the write.
type ctxStore struct{ *sqlite.Store }

func (s ctxStore) ConfirmLock(ctx context.Context, key string, until time.Time, atLeast int) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return s.Store.ConfirmLock(ctx, key, until, atLeast)
}
