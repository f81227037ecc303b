package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

func testThrottles(t *testing.T, open Opener) {
	const window = 15 * time.Minute
	t.Run("CountsAndWindows", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		_, err := s.GetThrottle(ctx, "login:ada")
		wantErr(t, "GetThrottle before any hit", err, model.ErrNotFound)
		for i := 1; i <= 3; i++ {
			th, err := s.HitThrottle(ctx, "login:ada", t0.Add(time.Duration(i)*time.Minute), window)
			must(t, "HitThrottle", err)
			if th.Count != i || !th.WindowStart.Equal(t0.Add(time.Minute)) || !th.LockedUntil.IsZero() ||
				!th.ExpiresAt.Equal(t0.Add(time.Minute+window)) {
				t.Fatalf("hit %d: %+v; want count %d in the window from %v", i, th, i, t0.Add(time.Minute))
			}
		}
		// A reservation that reaches its limit locks; a hit keeps the lock.
		_, granted, err := s.ReserveAttempt(ctx, t0.Add(4*time.Minute), window,
			store.ThrottleKey{Key: "login:ada", Lockout: store.Lockout{After: 4, Base: time.Hour, Max: time.Hour}})
		must(t, "ReserveAttempt", err)
		lock := t0.Add(4*time.Minute + time.Hour)
		th, err := s.HitThrottle(ctx, "login:ada", t0.Add(5*time.Minute), window)
		must(t, "HitThrottle", err)
		if !granted || th.Count != 5 || !th.LockedUntil.Equal(lock) || !th.ExpiresAt.Equal(lock) {
			t.Errorf("hit within the window: %+v (reservation granted %v); want count 5, still locked until %v", th, granted, lock)
		}
		// Another key is separate.
		other, err := s.HitThrottle(ctx, "ip:192.0.2.1", t0, window)
		must(t, "HitThrottle", err)
		if other.Count != 1 {
			t.Errorf("another key counts %d; want 1", other.Count)
		}
		// After the window, counting starts afresh and the lock is gone.
		fresh := t0.Add(time.Minute + window)
		th, err = s.HitThrottle(ctx, "login:ada", fresh, window)
		must(t, "HitThrottle", err)
		if th.Count != 1 || !th.WindowStart.Equal(fresh) || !th.LockedUntil.IsZero() {
			t.Errorf("hit after the window: %+v; want a new window at %v, unlocked", th, fresh)
		}
		checkUTC(t, "throttle", th.WindowStart)
		must(t, "ResetThrottle", s.ResetThrottle(ctx, "login:ada"))
		must(t, "ResetThrottle of an unknown key", s.ResetThrottle(ctx, "login:ada"))
		_, err = s.GetThrottle(ctx, "login:ada")
		wantErr(t, "GetThrottle after reset", err, model.ErrNotFound)
	})
	t.Run("ConcurrentHitsAllCount", func(t *testing.T) {
		s := open(t)
		const n = 16
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.HitThrottle(t.Context(), "ip:203.0.113.9", t0, window); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		th, err := s.GetThrottle(t.Context(), "ip:203.0.113.9")
		must(t, "GetThrottle", err)
		if th.Count != n {
			t.Errorf("count after %d concurrent hits = %d", n, th.Count)
		}
	})
}

func testReserveAttempt(t *testing.T, open Opener) {
	const window = time.Hour
	lockout := store.Lockout{After: 3, Base: time.Minute, Max: 5 * time.Minute}
	account := store.ThrottleKey{Key: "login:user:u1", Lockout: lockout}
	addr := store.ThrottleKey{Key: "addr:192.0.2.1", Lockout: store.Lockout{After: 10, Base: time.Minute, Max: time.Hour}}
	t.Run("CountsLocksAndBacksOff", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		type want struct {
			at      time.Duration // after t0
			granted bool
			count   int
			lock    time.Duration // after t0; 0: none
		}
		for i, w := range []want{
			{0, true, 1, 0},
			{time.Second, true, 2, 0},
			{2 * time.Second, true, 3, 2*time.Second + time.Minute},               // the limit: judged, and locks
			{3 * time.Second, false, 3, 2*time.Second + time.Minute},              // locked: refused, nothing counted
			{2*time.Second + time.Minute, true, 4, 2*time.Second + 3*time.Minute}, // the lock is over: one more, doubled
			{3 * time.Minute, false, 4, 2*time.Second + 3*time.Minute},
			{10 * time.Minute, true, 5, 14 * time.Minute}, // doubled again
			{20 * time.Minute, true, 6, 25 * time.Minute}, // at most Max
			{time.Hour, true, 1, 0},                       // a new window: counted afresh
		} {
			states, granted, err := s.ReserveAttempt(ctx, t0.Add(w.at), window, account)
			must(t, "ReserveAttempt", err)
			th := states[0]
			var lock time.Time
			if w.lock > 0 {
				lock = t0.Add(w.lock)
			}
			if granted != w.granted || th.Count != w.count || th.Key != account.Key || !th.LockedUntil.Equal(lock) {
				t.Fatalf("attempt %d at +%v: granted %v, %+v; want granted %v, count %d, locked until %v", i+1, w.at, granted, th, w.granted, w.count, lock)
			}
			checkUTC(t, "throttle", th.WindowStart, th.LockedUntil)
			got, err := s.GetThrottle(ctx, account.Key)
			must(t, "GetThrottle", err)
			if got.Count != w.count {
				t.Fatalf("attempt %d: stored count %d; want %d", i+1, got.Count, w.count)
			}
		}
	})
	t.Run("AllKeysOrNone", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		for range 3 {
			_, _, err := s.ReserveAttempt(ctx, t0, window, account, addr)
			must(t, "ReserveAttempt", err)
		}
		// The account is locked: the address does not count the refused attempt.
		states, granted, err := s.ReserveAttempt(ctx, t0, window, addr, account)
		must(t, "ReserveAttempt", err)
		if granted || states[0].Count != 3 || states[1].Count != 3 || !states[1].LockedUntil.Equal(t0.Add(time.Minute)) {
			t.Fatalf("locked account: granted %v, %+v %+v; want refused, both at 3", granted, states[0], states[1])
		}
		// Another account from the address is counted.
		other := store.ThrottleKey{Key: "login:user:u2", Lockout: lockout}
		states, granted, err = s.ReserveAttempt(ctx, t0, window, other, addr)
		must(t, "ReserveAttempt", err)
		if !granted || states[0].Count != 1 || states[1].Count != 4 {
			t.Fatalf("another account: granted %v, %+v %+v; want counts 1 and 4", granted, states[0], states[1])
		}
	})
	t.Run("Release", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		for range 3 {
			_, _, err := s.ReserveAttempt(ctx, t0, window, account)
			must(t, "ReserveAttempt", err)
		}
		must(t, "ReleaseAttempt", s.ReleaseAttempt(ctx, account.Key))
		th, err := s.GetThrottle(ctx, account.Key)
		must(t, "GetThrottle", err)
		if th.Count != 2 || !th.LockedUntil.IsZero() {
			t.Errorf("after a release: %+v; want count 2, unlocked", th)
		}
		must(t, "ReleaseAttempt of an unknown key", s.ReleaseAttempt(ctx, "addr:unknown"))
	})
	t.Run("PendingLockConfirmed", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		pending := store.ThrottleKey{Key: account.Key, Lockout: store.Lockout{After: 2, Base: time.Minute, Max: time.Hour, Pending: 5 * time.Second}}
		for range 2 {
			_, _, err := s.ReserveAttempt(ctx, t0, window, pending)
			must(t, "ReserveAttempt", err)
		}
		th, err := s.GetThrottle(ctx, pending.Key)
		must(t, "GetThrottle", err)
		if th.Count != 2 || !th.LockedUntil.Equal(t0.Add(5*time.Second)) {
			t.Fatalf("at the limit: %+v; want count 2, locked for the pending 5s", th)
		}
		// The deciding attempt failed: the whole lock.
		ok, err := s.ConfirmLock(ctx, pending.Key, t0.Add(time.Minute), 2)
		must(t, "ConfirmLock", err)
		th, err = s.GetThrottle(ctx, pending.Key)
		must(t, "GetThrottle", err)
		if !ok || !th.LockedUntil.Equal(t0.Add(time.Minute)) || th.ExpiresAt.Before(t0.Add(time.Minute)) {
			t.Fatalf("confirmed: %+v; want locked until %v, kept as long", th, t0.Add(time.Minute))
		}
		// An earlier end does not shorten it; below the count, nothing.
		ok, err = s.ConfirmLock(ctx, pending.Key, t0.Add(30*time.Second), 2)
		must(t, "ConfirmLock", err)
		th, err = s.GetThrottle(ctx, pending.Key)
		must(t, "GetThrottle", err)
		if !ok || !th.LockedUntil.Equal(t0.Add(time.Minute)) {
			t.Fatalf("confirmed again with an earlier end: %+v; want still locked until %v", th, t0.Add(time.Minute))
		}
		must(t, "ReleaseAttempt", s.ReleaseAttempt(ctx, pending.Key))
		ok, err = s.ConfirmLock(ctx, pending.Key, t0.Add(2*time.Minute), 2)
		must(t, "ConfirmLock", err)
		th, err = s.GetThrottle(ctx, pending.Key)
		must(t, "GetThrottle", err)
		if ok || th.Count != 1 || !th.LockedUntil.IsZero() {
			t.Errorf("confirmed after a success gave the attempt back: %+v; want count 1, unlocked", th)
		}
		if ok, err := s.ConfirmLock(ctx, "addr:unknown", t0.Add(time.Minute), 1); ok || err != nil {
			t.Errorf("ConfirmLock of an unknown key: %v, %v; want false, nil", ok, err)
		}
	})
	t.Run("ConcurrentAttemptsStopAtTheLimit", func(t *testing.T) {
		s := open(t)
		const n = 30
		lockout := store.Lockout{After: 5, Base: time.Minute, Max: time.Hour}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			granted int
			counts  = map[int]bool{}
		)
		for i := range n {
			wg.Go(func() {
				// Each caller also counts against an address of its own, so
				// that keys are taken in different orders.
				states, ok, err := s.ReserveAttempt(t.Context(), t0, window,
					store.ThrottleKey{Key: fmt.Sprintf("addr:198.51.100.%d", i), Lockout: lockout},
					store.ThrottleKey{Key: "login:user:target", Lockout: lockout})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if ok {
					granted++
					if counts[states[1].Count] {
						t.Errorf("two granted attempts saw count %d", states[1].Count)
					}
					counts[states[1].Count] = true
				}
			})
		}
		wg.Wait()
		th, err := s.GetThrottle(t.Context(), "login:user:target")
		must(t, "GetThrottle", err)
		if granted != 5 || th.Count != 5 || !th.LockedUntil.Equal(t0.Add(time.Minute)) {
			t.Errorf("%d concurrent attempts: %d granted, then %+v; want 5 granted, count 5, locked for a minute", n, granted, th)
		}
	})
}
