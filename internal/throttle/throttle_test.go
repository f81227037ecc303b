package throttle

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/clock"
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

func TestAccountLockoutBacksOff(t *testing.T) {
	l, c, _ := newLimiter(t)
	ctx := t.Context()
	for i := 1; i < 5; i++ {
		if err := l.LoginFailed(ctx, "Ada", "192.0.2.1"); err != nil {
			t.Fatalf("failure %d: %v; want no lock yet", i, err)
		}
	}
	// The fifth failure locks for a minute; the account is keyed case-insensitively.
	if d := lockedFor(t, l.LoginFailed(ctx, "ada", "192.0.2.2"), c.Now()); d != time.Minute {
		t.Errorf("first lock lasts %v; want 1m", d)
	}
	if d := lockedFor(t, l.CheckLogin(ctx, " ADA ", "198.51.100.1"), c.Now()); d != time.Minute {
		t.Errorf("check while locked: %v left; want 1m", d)
	}
	c.Advance(time.Minute)
	if err := l.CheckLogin(ctx, "ada", "198.51.100.1"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// Each further failure in the window doubles the lock, up to the maximum.
	for i, want := range []time.Duration{2 * time.Minute, 4 * time.Minute, 8 * time.Minute} {
		if d := lockedFor(t, l.LoginFailed(ctx, "ada", fmt.Sprintf("203.0.113.%d", i+1)), c.Now()); d != want {
			t.Errorf("lock %d lasts %v; want %v", i+2, d, want)
		}
	}
	if l.lockFor(40) != time.Hour {
		t.Errorf("lockFor(40) = %v; want the maximum 1h", l.lockFor(40))
	}
	// Success forgets the account's failures.
	if err := l.LoginSucceeded(ctx, "ADA"); err != nil {
		t.Fatal(err)
	}
	if err := l.CheckLogin(ctx, "ada", "198.51.100.1"); err != nil {
		t.Fatalf("after a success: %v", err)
	}
}

func TestAddressLockout(t *testing.T) {
	l, c, _ := newLimiter(t)
	ctx := t.Context()
	// One address trying many accounts is locked after AddressLockAfter failures.
	var err error
	for i := range 8 {
		err = l.LoginFailed(ctx, "user"+string(rune('a'+i)), "192.0.2.9")
	}
	lockedFor(t, err, c.Now())
	lockedFor(t, l.CheckLogin(ctx, "someone-else", "192.0.2.9"), c.Now())
	if err := l.CheckLogin(ctx, "someone-else", "192.0.2.10"); err != nil {
		t.Errorf("another address is locked too: %v", err)
	}
	// The window passes: failures are forgotten.
	c.Advance(time.Hour + time.Minute)
	if err := l.LoginFailed(ctx, "usera", "192.0.2.9"); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

func TestRegistrationLimit(t *testing.T) {
	l, c, _ := newLimiter(t)
	ctx := t.Context()
	for i := range 3 {
		if err := l.AllowRegistration(ctx, "192.0.2.1"); err != nil {
			t.Fatalf("registration %d: %v", i+1, err)
		}
	}
	lockedFor(t, l.AllowRegistration(ctx, "192.0.2.1"), c.Now())
	if err := l.AllowRegistration(ctx, "192.0.2.2"); err != nil {
		t.Errorf("another address: %v", err)
	}
	c.Advance(time.Hour)
	if err := l.AllowRegistration(ctx, "192.0.2.1"); err != nil {
		t.Errorf("a new window: %v", err)
	}
}

// TestLockHoldsAcrossRestarts: the state is in the database, so a new
// Limiter (a restarted or another node) sees the lock.
func TestLockHoldsAcrossRestarts(t *testing.T) {
	l, c, st := newLimiter(t)
	for range 5 {
		_ = l.LoginFailed(t.Context(), "ada", "192.0.2.1")
	}
	other := &Limiter{Store: st, Now: c.Now, Policy: DefaultPolicy}
	lockedFor(t, other.CheckLogin(t.Context(), "ada", "198.51.100.7"), c.Now())
}
