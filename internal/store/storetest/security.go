package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth"
	"github.com/opengenauth/genauth/internal/store"
)

func testThrottles(t *testing.T, open Opener) {
	const window = 15 * time.Minute
	t.Run("CountsAndWindows", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		_, err := s.GetThrottle(ctx, "login:ada")
		wantErr(t, "GetThrottle before any hit", err, genauth.ErrNotFound)
		wantErr(t, "LockThrottle of an unknown key", s.LockThrottle(ctx, "login:ada", t0), genauth.ErrNotFound)
		for i := 1; i <= 3; i++ {
			th, err := s.HitThrottle(ctx, "login:ada", t0.Add(time.Duration(i)*time.Minute), window)
			must(t, "HitThrottle", err)
			if th.Count != i || !th.WindowStart.Equal(t0.Add(time.Minute)) || !th.LockedUntil.IsZero() {
				t.Fatalf("hit %d: %+v; want count %d in the window from %v", i, th, i, t0.Add(time.Minute))
			}
		}
		lock := t0.Add(time.Hour)
		must(t, "LockThrottle", s.LockThrottle(ctx, "login:ada", lock))
		th, err := s.HitThrottle(ctx, "login:ada", t0.Add(4*time.Minute), window)
		must(t, "HitThrottle", err)
		if th.Count != 4 || !th.LockedUntil.Equal(lock) {
			t.Errorf("hit within the window: %+v; want count 4, still locked until %v", th, lock)
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
		wantErr(t, "GetThrottle after reset", err, genauth.ErrNotFound)
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

func testAuditEvents(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	var all []*genauth.AuditEvent
	for i := range 6 {
		e := &genauth.AuditEvent{
			Time:     t0.Add(time.Duration(i) * time.Minute).In(east),
			Type:     []string{genauth.AuditLoginFailure, genauth.AuditTokenIssue}[i%2],
			UserID:   fmt.Sprintf("user-%d", i%3),
			ClientID: "app-1",
			IP:       "192.0.2.7",
			Detail:   "attempt ✓ \"quoted\"",
		}
		all = append(all, e)
	}
	must(t, "AppendAuditEvents", s.AppendAuditEvents(ctx, all[:4]...))
	must(t, "AppendAuditEvents", s.AppendAuditEvents(ctx, all[4:]...))
	must(t, "AppendAuditEvents of nothing", s.AppendAuditEvents(ctx))
	utc := func(es ...*genauth.AuditEvent) []*genauth.AuditEvent {
		out := make([]*genauth.AuditEvent, len(es))
		for i, e := range es {
			c := *e
			c.Time = c.Time.UTC()
			out[i] = &c
		}
		return out
	}
	tests := []struct {
		name string
		q    store.AuditQuery
		want []*genauth.AuditEvent
	}{
		{"all, newest first", store.AuditQuery{}, utc(all[5], all[4], all[3], all[2], all[1], all[0])},
		{"by type", store.AuditQuery{Type: genauth.AuditLoginFailure}, utc(all[4], all[2], all[0])},
		{"by user", store.AuditQuery{UserID: "user-1"}, utc(all[4], all[1])},
		{"by client and time", store.AuditQuery{ClientID: "app-1", Since: t0.Add(2 * time.Minute), Until: t0.Add(4 * time.Minute)}, utc(all[3], all[2])},
		{"limited", store.AuditQuery{Limit: 2}, utc(all[5], all[4])},
		{"nothing", store.AuditQuery{UserID: "nobody"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListAuditEvents(ctx, tt.q)
			must(t, "ListAuditEvents", err)
			diff(t, "events", tt.want, got)
		})
	}
}

func testSignOutClient(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	mine := func(hash, id, kind, client string) *genauth.Token {
		tok := token(hash, id, kind, "g-"+hash, "")
		tok.ClientID = client
		return tok
	}
	gone := mine("h-old", "j-old", genauth.TokenAccess, "app-1")
	gone.RevokedAt = t0
	must(t, "CreateTokens", s.CreateTokens(ctx, mine("h-a", "j-a", genauth.TokenAccess, "app-1"),
		mine("h-r", "j-r", genauth.TokenRefresh, "app-1"), gone, mine("h-b", "j-b", genauth.TokenAccess, "app-2")))
	for _, c := range []*genauth.AuthCode{
		{Hash: "c-open", GrantID: "g1", ClientID: "app-1", UserID: "u", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{Hash: "c-other", GrantID: "g2", ClientID: "app-2", UserID: "u", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
	} {
		must(t, "CreateAuthCode", s.CreateAuthCode(ctx, c))
	}
	at := t0.Add(time.Minute)
	n, err := s.SignOutClient(ctx, "app-1", at)
	must(t, "SignOutClient", err)
	if n != 2 {
		t.Errorf("SignOutClient revoked %d tokens; want 2", n)
	}
	checkRevokedAt(t, s, at, "h-a", "h-r")
	checkRevokedAt(t, s, t0, "h-old")
	checkRevokedAt(t, s, time.Time{}, "h-b")
	_, err = s.GetAuthCode(ctx, "c-open", at)
	wantErr(t, "GetAuthCode of the client's open code", err, genauth.ErrNotFound)
	if _, err := s.GetAuthCode(ctx, "c-other", at); err != nil {
		t.Errorf("another client's code: %v", err)
	}
}
