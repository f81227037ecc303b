package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth"
	"github.com/opengenauth/genauth/internal/store"
)

// rotation returns the pair a rotation of parentID issues at now: an access
// token under a new refresh token that is the parent's child.
func rotation(n string, parentID string, now time.Time) []*genauth.Token {
	r := token("h-r"+n, "jti-r"+n, genauth.TokenRefresh, "g", parentID)
	a := token("h-a"+n, "jti-a"+n, genauth.TokenAccess, "g", "jti-r"+n)
	r.IssuedAt, a.IssuedAt = now, now
	return []*genauth.Token{a, r}
}

func testRotateRefreshToken(t *testing.T, open Opener) {
	// setup stores the grant g: refresh r0 with access a0, plus an unrelated grant.
	setup := func(t *testing.T) store.Store {
		s := open(t)
		must(t, "CreateTokens", s.CreateTokens(t.Context(),
			token("h-r0", "jti-r0", genauth.TokenRefresh, "g", ""),
			token("h-a0", "jti-a0", genauth.TokenAccess, "g", "jti-r0"),
			token("h-x", "jti-x", genauth.TokenRefresh, "other", "")))
		return s
	}
	at := t0.Add(time.Minute)
	grace := 10 * time.Second

	t.Run("Rotates", func(t *testing.T) {
		s := setup(t)
		must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, rotation("1", "jti-r0", at)))
		checkRevokedAt(t, s, at, "h-r0")
		checkRevokedAt(t, s, time.Time{}, "h-r1", "h-a1", "h-a0", "h-x")
		// Revoking a rotated refresh token still ends its whole grant.
		_, err := s.RevokeToken(t.Context(), "h-r0", at.Add(time.Second))
		must(t, "RevokeToken", err)
		checkRevokedAt(t, s, at.Add(time.Second), "h-r1", "h-a1", "h-a0")
		checkRevokedAt(t, s, at, "h-r0")
		checkRevokedAt(t, s, time.Time{}, "h-x")
	})

	t.Run("RetryWithinGrace", func(t *testing.T) {
		s := setup(t)
		must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, rotation("1", "jti-r0", at)))
		retry := at.Add(grace)
		must(t, "RotateRefreshToken again within grace", s.RotateRefreshToken(t.Context(), "jti-r0", retry, grace, rotation("2", "jti-r0", retry)))
		checkRevokedAt(t, s, retry, "h-r1", "h-a1")
		checkRevokedAt(t, s, time.Time{}, "h-r2", "h-a2", "h-a0", "h-x")
		checkRevokedAt(t, s, at, "h-r0")
	})

	t.Run("ReuseAfterGraceRevokesGrant", func(t *testing.T) {
		s := setup(t)
		must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, rotation("1", "jti-r0", at)))
		late := at.Add(grace + time.Second)
		err := s.RotateRefreshToken(t.Context(), "jti-r0", late, grace, rotation("2", "jti-r0", late))
		wantErr(t, "RotateRefreshToken after the grace period", err, genauth.ErrTokenReused)
		checkAbsent(t, s, "h-r2", "h-a2")
		checkRevokedAt(t, s, late, "h-r1", "h-a1", "h-a0")
		checkRevokedAt(t, s, at, "h-r0")
		checkRevokedAt(t, s, time.Time{}, "h-x")
	})

	t.Run("ReuseAfterSuccessorUsed", func(t *testing.T) {
		s := setup(t)
		must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, rotation("1", "jti-r0", at)))
		next := at.Add(time.Second)
		must(t, "RotateRefreshToken of the successor", s.RotateRefreshToken(t.Context(), "jti-r1", next, grace, rotation("2", "jti-r1", next)))
		// Within the grace period, but the successor was used: two parties hold the family.
		replay := next.Add(time.Second)
		err := s.RotateRefreshToken(t.Context(), "jti-r0", replay, grace, rotation("3", "jti-r0", replay))
		wantErr(t, "RotateRefreshToken of a token whose successor was used", err, genauth.ErrTokenReused)
		checkRevokedAt(t, s, replay, "h-r2", "h-a2", "h-a1", "h-a0")
		checkAbsent(t, s, "h-r3")
	})

	t.Run("NoGrace", func(t *testing.T) {
		s := setup(t)
		must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), "jti-r0", at, 0, rotation("1", "jti-r0", at)))
		err := s.RotateRefreshToken(t.Context(), "jti-r0", at, 0, rotation("2", "jti-r0", at))
		wantErr(t, "RotateRefreshToken twice with no grace", err, genauth.ErrTokenReused)
	})

	t.Run("Inactive", func(t *testing.T) {
		s := setup(t)
		_, err := s.RevokeToken(t.Context(), "h-r0", at)
		must(t, "RevokeToken", err)
		err = s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, rotation("1", "jti-r0", at))
		wantErr(t, "RotateRefreshToken of a revoked token", err, genauth.ErrInactive)
		expired := t0.Add(tokenTTL)
		err = s.RotateRefreshToken(t.Context(), "jti-x", expired, grace, rotation("2", "jti-x", expired))
		wantErr(t, "RotateRefreshToken of an expired token", err, genauth.ErrInactive)
		err = s.RotateRefreshToken(t.Context(), "jti-missing", at, grace, rotation("3", "jti-missing", at))
		wantErr(t, "RotateRefreshToken of an unknown token", err, genauth.ErrNotFound)
		err = s.RotateRefreshToken(t.Context(), "jti-a0", at, grace, rotation("4", "jti-a0", at))
		wantErr(t, "RotateRefreshToken of an access token", err, genauth.ErrNotFound)
		checkAbsent(t, s, "h-r1", "h-r2", "h-r3", "h-r4")
	})

	t.Run("MalformedIssue", func(t *testing.T) {
		s := setup(t)
		wrongParent := rotation("1", "jti-other", at)
		if err := s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, wrongParent); err == nil {
			t.Error("a rotation issuing a refresh token of another parent was accepted")
		}
		if err := s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, rotation("2", "jti-r0", at)[:1]); err == nil {
			t.Error("a rotation issuing no refresh token was accepted")
		}
		checkRevokedAt(t, s, time.Time{}, "h-r0")
	})

	t.Run("ConcurrentExactlyOneWins", func(t *testing.T) {
		s := setup(t)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = s.RotateRefreshToken(t.Context(), "jti-r0", at, 0, rotation(fmt.Sprint(10+i), "jti-r0", at))
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, genauth.ErrTokenReused):
			default:
				t.Errorf("rotation %d: %v", i, err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d of %d concurrent rotations succeeded; want exactly 1", wins, n)
		}
		// The losers presented a rotated token: the whole grant is revoked.
		for i := range n {
			if errs[i] == nil {
				got, err := s.GetToken(t.Context(), "h-r"+fmt.Sprint(10+i))
				must(t, "GetToken", err)
				if got.RevokedAt.IsZero() {
					t.Error("the winner's refresh token survived a detected reuse")
				}
			}
		}
	})
}
