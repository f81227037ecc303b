package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// cut is the `before` of the sweeps below: well after t0.
var cut = t0.Add(10 * time.Hour)

func expiringToken(hash, id, kind, grantID, parentID string, expires time.Time) *model.Token {
	tok := token(hash, id, kind, grantID, parentID)
	tok.ExpiresAt = expires
	return tok
}

func expiringSession(idHash string, expires time.Time) *model.Session {
	s := session(idHash)
	s.ExpiresAt = expires
	return s
}

func expiringCode(hash, grantID string, expires time.Time) *model.AuthCode {
	c := authCode(hash, grantID)
	c.ExpiresAt = expires
	return c
}

func testDeleteExpired(t *testing.T, open Opener) {
	t.Run("WhatGoes", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		for _, sess := range []*model.Session{
			expiringSession("s-old", cut.Add(-time.Millisecond)),
			expiringSession("s-edge", cut), // expires at, not before, cut
			expiringSession("s-live", cut.Add(time.Hour)),
		} {
			must(t, "CreateSession", s.CreateSession(ctx, sess))
		}
		for _, c := range []*model.AuthCode{
			expiringCode("c-old", "g-old", cut.Add(-time.Hour)),
			expiringCode("c-live", "g-unused", cut.Add(time.Minute)),
			expiringCode("c-redeemed-dead", "g-dead", cut.Add(-time.Hour)),
			expiringCode("c-redeemed-live", "g-live", cut.Add(-time.Hour)),
		} {
			must(t, "CreateAuthCode", s.CreateAuthCode(ctx, c))
		}
		must(t, "RedeemAuthCode", s.RedeemAuthCode(ctx, "c-redeemed-dead", t0, []*model.Token{
			expiringToken("h-dead", "jti-dead", model.TokenAccess, "g-dead", "", cut.Add(-time.Minute)),
		}))
		must(t, "RedeemAuthCode", s.RedeemAuthCode(ctx, "c-redeemed-live", t0, []*model.Token{
			expiringToken("h-grant-live", "jti-grant-live", model.TokenRefresh, "g-live", "", cut.Add(time.Hour)),
		}))
		revokedLive := expiringToken("h-revoked-live", "jti-revoked-live", model.TokenAccess, "g-1", "", cut.Add(time.Hour))
		revokedLive.RevokedAt = t0.Add(time.Minute)
		revokedOld := expiringToken("h-revoked-old", "jti-revoked-old", model.TokenAccess, "g-2", "", cut.Add(-time.Minute))
		revokedOld.RevokedAt = t0.Add(time.Minute)
		must(t, "CreateTokens", s.CreateTokens(ctx,
			expiringToken("h-old", "jti-old", model.TokenAccess, "g-3", "", cut.Add(-time.Minute)),
			expiringToken("h-edge", "jti-edge", model.TokenAccess, "g-3", "", cut),
			revokedLive, revokedOld,
			// An expired refresh token stays while a token issued from it lives.
			expiringToken("h-parent-kept", "jti-parent-kept", model.TokenRefresh, "g-4", "", cut.Add(-time.Hour)),
			expiringToken("h-child-live", "jti-child-live", model.TokenAccess, "g-4", "jti-parent-kept", cut.Add(time.Hour)),
			expiringToken("h-parent-gone", "jti-parent-gone", model.TokenRefresh, "g-5", "", cut.Add(-time.Hour)),
			expiringToken("h-child-gone", "jti-child-gone", model.TokenAccess, "g-5", "jti-parent-gone", cut.Add(-time.Minute)),
			expiringToken("h-live", "jti-live", model.TokenAccess, "g-6", "", cut.Add(time.Hour)),
		))

		n, err := s.DeleteExpired(ctx, cut, 1000)
		must(t, "DeleteExpired", err)
		// s-old; c-old, c-redeemed-dead; h-dead, h-old, h-revoked-old, h-parent-gone, h-child-gone.
		if n != 8 {
			t.Errorf("DeleteExpired deleted %d rows, want 8", n)
		}
		n, err = s.DeleteExpired(ctx, cut, 1000)
		must(t, "second DeleteExpired", err)
		if n != 0 {
			t.Errorf("second DeleteExpired deleted %d rows, want 0", n)
		}

		checkAbsent(t, s, "h-dead", "h-old", "h-revoked-old", "h-parent-gone", "h-child-gone")
		for _, h := range []string{"h-edge", "h-revoked-live", "h-parent-kept", "h-child-live", "h-live", "h-grant-live"} {
			_, err := s.GetToken(ctx, h)
			must(t, "GetToken of kept token "+h, err)
		}
		// Each session would be alive at t0 if it were still stored.
		_, err = s.GetSession(ctx, "s-old", t0)
		wantErr(t, "GetSession of a deleted session", err, model.ErrNotFound)
		for _, id := range []string{"s-edge", "s-live"} {
			_, err := s.GetSession(ctx, id, t0)
			must(t, "GetSession of kept session "+id, err)
		}
		// Likewise each unredeemed code at t0; a kept redeemed code is still
		// recognised as a replay, a deleted one is unknown.
		_, err = s.GetAuthCode(ctx, "c-old", t0)
		wantErr(t, "GetAuthCode of a deleted code", err, model.ErrNotFound)
		_, err = s.GetAuthCode(ctx, "c-live", t0)
		must(t, "GetAuthCode of a kept code", err)
		_, err = s.GetAuthCode(ctx, "c-redeemed-dead", t0)
		wantErr(t, "GetAuthCode of a deleted redeemed code", err, model.ErrNotFound)
		replayAt := cut.Add(time.Minute)
		wantErr(t, "replay of a kept redeemed code", s.RedeemAuthCode(ctx, "c-redeemed-live", replayAt, nil),
			model.ErrCodeRedeemed)
		checkRevokedAt(t, s, replayAt, "h-grant-live")
	})

	t.Run("Throttles", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		const window = time.Hour
		lockout := store.Lockout{After: 1, Base: 2 * time.Hour, Max: 2 * time.Hour}
		// Counted a window and a bit before cut: window over, no lock.
		_, err := s.HitThrottle(ctx, "register:old", cut.Add(-window-time.Second), window)
		must(t, "HitThrottle", err)
		// Window over at cut, but locked until after it.
		_, _, err = s.ReserveAttempt(ctx, cut.Add(-window-time.Second), window, store.ThrottleKey{Key: "login:locked", Lockout: lockout})
		must(t, "ReserveAttempt", err)
		// Still in its window.
		_, err = s.HitThrottle(ctx, "addr:live", cut.Add(-time.Minute), window)
		must(t, "HitThrottle", err)
		n, err := s.DeleteExpired(ctx, cut, 1000)
		must(t, "DeleteExpired", err)
		if n != 1 {
			t.Errorf("DeleteExpired deleted %d rows; want the one throttle row past its window and lock", n)
		}
		_, err = s.GetThrottle(ctx, "register:old")
		wantErr(t, "GetThrottle of the swept row", err, model.ErrNotFound)
		for _, key := range []string{"login:locked", "addr:live"} {
			if _, err := s.GetThrottle(ctx, key); err != nil {
				t.Errorf("throttle %s: %v; want it kept", key, err)
			}
		}
		th, err := s.GetThrottle(ctx, "login:locked")
		must(t, "GetThrottle", err)
		if want := cut.Add(-window - time.Second + 2*time.Hour); !th.ExpiresAt.Equal(want) {
			t.Errorf("locked row expires at %v; want the end of its lock, %v", th.ExpiresAt, want)
		}
	})

	t.Run("Batches", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		for i := range 2 {
			must(t, "CreateSession", s.CreateSession(ctx, expiringSession(hashN("s", i), cut.Add(-time.Hour))))
			must(t, "CreateAuthCode", s.CreateAuthCode(ctx, expiringCode(hashN("c", i), hashN("g", i), cut.Add(-time.Hour))))
		}
		for i := range 3 {
			must(t, "CreateTokens", s.CreateTokens(ctx,
				expiringToken(hashN("h", i), hashN("jti", i), model.TokenAccess, "g", "", cut.Add(-time.Hour))))
		}
		must(t, "CreateTokens", s.CreateTokens(ctx, expiringToken("h-live", "jti-live", model.TokenAccess, "g", "", cut.Add(time.Hour))))
		var got []int
		for range 5 {
			n, err := s.DeleteExpired(ctx, cut, 3)
			must(t, "DeleteExpired", err)
			got = append(got, n)
		}
		diff(t, "rows deleted per batch of 3", []int{3, 3, 1, 0, 0}, got)
		checkAbsent(t, s, "h-0", "h-1", "h-2")
		_, err := s.GetToken(ctx, "h-live")
		must(t, "GetToken of the live token", err)
	})

	t.Run("LimitMustBePositive", func(t *testing.T) {
		s := open(t)
		must(t, "CreateTokens", s.CreateTokens(t.Context(),
			expiringToken("h-old", "jti-old", model.TokenAccess, "g", "", cut.Add(-time.Hour))))
		for _, limit := range []int{0, -1} {
			if n, err := s.DeleteExpired(t.Context(), cut, limit); err == nil || n != 0 {
				t.Errorf("DeleteExpired with limit %d = %d, %v; want an error", limit, n, err)
			}
		}
		_, err := s.GetToken(t.Context(), "h-old")
		must(t, "GetToken after refused sweeps", err)
	})

	// Sweepers on every node run at once: together they delete each
	// expired row exactly once and nothing else.
	t.Run("Concurrent", func(t *testing.T) {
		const expired, live, sweepers, limit = 40, 10, 6, 4
		s := open(t)
		ctx := t.Context()
		var batch []*model.Token
		for i := range expired {
			batch = append(batch, expiringToken(hashN("h-old", i), hashN("jti-old", i), model.TokenAccess, "g", "", cut.Add(-time.Hour)))
		}
		for i := range live {
			batch = append(batch, expiringToken(hashN("h-live", i), hashN("jti-live", i), model.TokenAccess, "g", "", cut.Add(time.Hour)))
		}
		must(t, "CreateTokens", s.CreateTokens(ctx, batch...))
		counts := make([]int, sweepers)
		errs := make([]error, sweepers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range sweepers {
			wg.Go(func() {
				<-start
				counts[i], errs[i] = sweepAll(s, t, limit)
			})
		}
		close(start)
		wg.Wait()
		total := 0
		for i := range sweepers {
			must(t, "DeleteExpired", errs[i])
			total += counts[i]
		}
		if total != expired {
			t.Errorf("concurrent sweepers deleted %d rows in all, want %d", total, expired)
		}
		for i := range expired {
			checkAbsent(t, s, hashN("h-old", i))
		}
		for i := range live {
			_, err := s.GetToken(ctx, hashN("h-live", i))
			must(t, "GetToken of a live token", err)
		}
	})
}

// sweepAll calls DeleteExpired until a batch comes back short and returns
// how many rows it deleted in all.
func sweepAll(s Store, t *testing.T, limit int) (int, error) {
	total := 0
	for {
		n, err := s.DeleteExpired(t.Context(), cut, limit)
		total += n
		if err != nil || n < limit {
			return total, err
		}
	}
}

func testDeleteAuditEvents(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	for i := range 5 {
		must(t, "AppendAuditEvents", s.AppendAuditEvents(ctx, &model.AuditEvent{
			Time: t0.Add(time.Duration(i) * time.Hour), Type: model.AuditLoginSuccess, UserID: hashN("u", i)}))
	}
	_, err := s.DeleteAuditEvents(ctx, t0, 0)
	if err == nil {
		t.Error("DeleteAuditEvents with limit 0: no error")
	}
	// Older than t0 + 3h: three events, deleted two at a time.
	n, err := s.DeleteAuditEvents(ctx, t0.Add(3*time.Hour), 2)
	must(t, "DeleteAuditEvents", err)
	m, err := s.DeleteAuditEvents(ctx, t0.Add(3*time.Hour), 2)
	must(t, "DeleteAuditEvents", err)
	if n != 2 || m != 1 {
		t.Errorf("deleted %d, then %d; want 2, then 1", n, m)
	}
	left, err := s.ListAuditEvents(ctx, store.AuditQuery{})
	must(t, "ListAuditEvents", err)
	var users []string
	for _, e := range left {
		users = append(users, e.UserID)
	}
	diff(t, "events left", []string{"u-4", "u-3"}, users)
}
