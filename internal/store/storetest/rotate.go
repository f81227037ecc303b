package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// rotation returns the pair a rotation of parentID issues at now: an access
// token under a new refresh token that is the parent's child.
func rotation(n string, parentID string, now time.Time) []*model.Token {
	r := token("h-r"+n, "jti-r"+n, model.TokenRefresh, "g", parentID)
	a := token("h-a"+n, "jti-a"+n, model.TokenAccess, "g", "jti-r"+n)
	r.IssuedAt, a.IssuedAt = now, now
	return []*model.Token{a, r}
}

func testRotateRefreshToken(t *testing.T, open Opener) {
	// setup stores the grant g: refresh r0 with access a0, plus an unrelated grant.
	setup := func(t *testing.T) Store {
		s := open(t)
		must(t, "CreateTokens", s.CreateTokens(t.Context(),
			token("h-r0", "jti-r0", model.TokenRefresh, "g", ""),
			token("h-a0", "jti-a0", model.TokenAccess, "g", "jti-r0"),
			token("h-x", "jti-x", model.TokenRefresh, "other", "")))
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
		wantErr(t, "RotateRefreshToken after the grace period", err, model.ErrTokenReused)
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
		wantErr(t, "RotateRefreshToken of a token whose successor was used", err, model.ErrTokenReused)
		checkRevokedAt(t, s, replay, "h-r2", "h-a2", "h-a1", "h-a0")
		checkAbsent(t, s, "h-r3")
	})

	t.Run("ReuseAfterSuccessorAccessTokenUsed", func(t *testing.T) {
		s := setup(t)
		must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, rotation("1", "jti-r0", at)))
		used := at.Add(time.Second)
		must(t, "RecordTokenUse", s.RecordTokenUse(t.Context(), "h-a1", used))
		checkUsedAt(t, s, used, "h-a1")
		// Within the grace period, but the successor's access token was used:
		// whoever presents the old token is not the client that lost an answer.
		replay := used.Add(time.Second)
		err := s.RotateRefreshToken(t.Context(), "jti-r0", replay, grace, rotation("2", "jti-r0", replay))
		wantErr(t, "RotateRefreshToken of a token whose successor's access token was used", err, model.ErrTokenReused)
		checkAbsent(t, s, "h-r2", "h-a2")
		checkRevokedAt(t, s, replay, "h-r1", "h-a1", "h-a0")
		checkRevokedAt(t, s, time.Time{}, "h-x")
	})

	t.Run("RecordTokenUse", func(t *testing.T) {
		s := setup(t)
		must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, rotation("1", "jti-r0", at)))
		first, later := at.Add(time.Second), at.Add(2*time.Second)
		for _, h := range []string{"h-a1", "h-a1", "h-a0", "h-r1", "h-x", "h-missing"} {
			must(t, "RecordTokenUse("+h+")", s.RecordTokenUse(t.Context(), h, first))
		}
		must(t, "RecordTokenUse again", s.RecordTokenUse(t.Context(), "h-a1", later))
		checkUsedAt(t, s, first, "h-a1")
		// Only access tokens a rotation issued: a0 came with the grant's
		// first refresh token, which has no parent.
		checkUsedAt(t, s, time.Time{}, "h-a0", "h-r1", "h-x")
		// A revoked token's use is not recorded.
		must(t, "RotateRefreshToken of the successor", s.RotateRefreshToken(t.Context(), "jti-r1", later, grace, rotation("2", "jti-r1", later)))
		_, err := s.RevokeToken(t.Context(), "h-a2", later)
		must(t, "RevokeToken", err)
		must(t, "RecordTokenUse of a revoked token", s.RecordTokenUse(t.Context(), "h-a2", later))
		checkUsedAt(t, s, time.Time{}, "h-a2")
	})

	t.Run("GivenUpSuccessorIsReuse", func(t *testing.T) {
		s := setup(t)
		must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, rotation("1", "jti-r0", at)))
		retry := at.Add(time.Second)
		must(t, "RotateRefreshToken retry", s.RotateRefreshToken(t.Context(), "jti-r0", retry, grace, rotation("2", "jti-r0", retry)))
		// r1 was given up for r2: whoever presents it now holds a copy of the
		// family that the retry did not go to.
		late := retry.Add(time.Minute)
		err := s.RotateRefreshToken(t.Context(), "jti-r1", late, grace, rotation("3", "jti-r1", late))
		wantErr(t, "RotateRefreshToken of a successor a retry gave up", err, model.ErrTokenReused)
		checkAbsent(t, s, "h-r3", "h-a3")
		checkRevokedAt(t, s, late, "h-r2", "h-a2", "h-a0")
		checkRevokedAt(t, s, retry, "h-r1", "h-a1")
		checkRevokedAt(t, s, time.Time{}, "h-x")
	})

	t.Run("RevokedSuccessorIsInactive", func(t *testing.T) {
		s := setup(t)
		must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, rotation("1", "jti-r0", at)))
		gone := at.Add(time.Second)
		_, err := s.RevokeToken(t.Context(), "h-r1", gone)
		must(t, "RevokeToken", err)
		later := gone.Add(time.Second)
		err = s.RotateRefreshToken(t.Context(), "jti-r1", later, grace, rotation("2", "jti-r1", later))
		wantErr(t, "RotateRefreshToken of a revoked successor", err, model.ErrInactive)
		checkAbsent(t, s, "h-r2")
	})

	t.Run("NoGrace", func(t *testing.T) {
		s := setup(t)
		must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), "jti-r0", at, 0, rotation("1", "jti-r0", at)))
		err := s.RotateRefreshToken(t.Context(), "jti-r0", at, 0, rotation("2", "jti-r0", at))
		wantErr(t, "RotateRefreshToken twice with no grace", err, model.ErrTokenReused)
	})

	t.Run("Inactive", func(t *testing.T) {
		s := setup(t)
		_, err := s.RevokeToken(t.Context(), "h-r0", at)
		must(t, "RevokeToken", err)
		err = s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, rotation("1", "jti-r0", at))
		wantErr(t, "RotateRefreshToken of a revoked token", err, model.ErrInactive)
		expired := t0.Add(tokenTTL)
		err = s.RotateRefreshToken(t.Context(), "jti-x", expired, grace, rotation("2", "jti-x", expired))
		wantErr(t, "RotateRefreshToken of an expired token", err, model.ErrInactive)
		err = s.RotateRefreshToken(t.Context(), "jti-missing", at, grace, rotation("3", "jti-missing", at))
		wantErr(t, "RotateRefreshToken of an unknown token", err, model.ErrNotFound)
		err = s.RotateRefreshToken(t.Context(), "jti-a0", at, grace, rotation("4", "jti-a0", at))
		wantErr(t, "RotateRefreshToken of an access token", err, model.ErrNotFound)
		checkAbsent(t, s, "h-r1", "h-r2", "h-r3", "h-r4")
	})

	// The parent's update and the inserts are one transaction: a taken hash
	// in the last insert undoes them all.
	t.Run("ConflictRollsBack", func(t *testing.T) {
		s := setup(t)
		issued := rotation("1", "jti-r0", at)
		issued[1].Hash = "h-x"
		err := s.RotateRefreshToken(t.Context(), "jti-r0", at, grace, issued)
		wantErr(t, "RotateRefreshToken with a taken hash", err, model.ErrConflict)
		checkAbsent(t, s, "h-a1")
		checkRevokedAt(t, s, time.Time{}, "h-r0", "h-a0", "h-x")
		must(t, "RotateRefreshToken after the failed one", s.RotateRefreshToken(t.Context(), "jti-r0", at, 0,
			rotation("2", "jti-r0", at)))
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
			case errors.Is(err, model.ErrTokenReused):
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

	// Rotations of distinct grants at once, as a busy server sees them (on
	// SQLite they share commits): one caller per round presents a rotated
	// token after the grace period, one retries within it, and one presents
	// an unknown token. Only the reuse and the unknown token fail, and the
	// reuse's revocation of its grant holds although its caller got an error.
	t.Run("ConcurrentDistinctWithReuse", func(t *testing.T) {
		s := open(t)
		const callers, rounds = 24, 3
		next, late := at.Add(grace/2), at.Add(grace+time.Second)
		for round := range rounds {
			reuse, retry, unknown := (round*7+3)%callers, (round*7+11)%callers, (round*7+19)%callers
			grants := make([]string, callers)
			for i := range callers {
				g := fmt.Sprintf("dist-%d-%d", round, i)
				grants[i] = g
				must(t, "CreateTokens", s.CreateTokens(t.Context(), familyRoot(g)))
				must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), g+"-r0", at, grace, family(g, "1", g+"-r0", at)))
			}
			errs := make([]error, callers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, g := range grants {
				wg.Go(func() {
					<-start
					switch i {
					case reuse:
						errs[i] = s.RotateRefreshToken(t.Context(), g+"-r0", late, grace, family(g, "2", g+"-r0", late))
					case retry:
						errs[i] = s.RotateRefreshToken(t.Context(), g+"-r0", next, grace, family(g, "2", g+"-r0", next))
					case unknown:
						errs[i] = s.RotateRefreshToken(t.Context(), g+"-nope", next, grace, family(g, "2", g+"-nope", next))
					default:
						errs[i] = s.RotateRefreshToken(t.Context(), g+"-r1", next, grace, family(g, "2", g+"-r1", next))
					}
				})
			}
			close(start)
			wg.Wait()
			for i, g := range grants {
				switch i {
				case reuse:
					wantErr(t, g+": reuse", errs[i], model.ErrTokenReused)
					checkAbsent(t, s, g+"-h-r2", g+"-h-a2")
					checkRevokedAt(t, s, late, g+"-h-r1", g+"-h-a1")
				case retry:
					must(t, g+": retry within grace", errs[i])
					checkRevokedAt(t, s, next, g+"-h-r1", g+"-h-a1")
					checkRevokedAt(t, s, time.Time{}, g+"-h-r2", g+"-h-a2")
				case unknown:
					wantErr(t, g+": unknown token", errs[i], model.ErrNotFound)
					checkAbsent(t, s, g+"-h-r2", g+"-h-a2")
					checkRevokedAt(t, s, time.Time{}, g+"-h-r1", g+"-h-a1")
				default:
					must(t, g+": rotation", errs[i])
					checkRevokedAt(t, s, next, g+"-h-r1")
					checkRevokedAt(t, s, time.Time{}, g+"-h-r2", g+"-h-a2", g+"-h-a1")
				}
			}
		}
	})

	// A retry and a use of the successor race: whichever the store orders
	// first, the other is reuse, and no refresh token of the grant lives on.
	t.Run("ConcurrentRetryAndSuccessorRotation", func(t *testing.T) {
		s := open(t)
		next := at.Add(time.Second)
		grants, retryErrs, useErrs := raceRetry(t, s, at, next, grace, func(g string) error {
			return s.RotateRefreshToken(t.Context(), g+"-r1", next, grace, family(g, "3", g+"-r1", next))
		})
		for i, g := range grants {
			retryOK, useOK := retryErrs[i] == nil, useErrs[i] == nil
			if retryOK == useOK || (!retryOK && !errors.Is(retryErrs[i], model.ErrTokenReused)) ||
				(!useOK && !errors.Is(useErrs[i], model.ErrTokenReused)) {
				t.Errorf("%s: retry %v, successor's rotation %v; want one success and one ErrTokenReused", g, retryErrs[i], useErrs[i])
				continue
			}
			for _, n := range []string{"0", "1", "2", "3"} {
				if got, err := s.GetToken(t.Context(), g+"-h-r"+n); err == nil && got.RevokedAt.IsZero() {
					t.Errorf("%s: refresh token r%s survived the race", g, n)
				}
			}
		}
	})

	t.Run("ConcurrentRetryAndAccessTokenUse", func(t *testing.T) {
		s := open(t)
		next := at.Add(time.Second)
		grants, retryErrs, useErrs := raceRetry(t, s, at, next, grace, func(g string) error {
			return s.RecordTokenUse(t.Context(), g+"-h-a1", next)
		})
		for i, g := range grants {
			must(t, "RecordTokenUse", useErrs[i])
			a1, err := s.GetToken(t.Context(), g+"-h-a1")
			must(t, "GetToken", err)
			switch {
			case retryErrs[i] == nil:
				// The retry came first: the use found the token revoked.
				if !a1.UsedAt.IsZero() || a1.RevokedAt.IsZero() {
					t.Errorf("%s: the retry succeeded but the successor's access token is used at %v, revoked at %v", g, a1.UsedAt, a1.RevokedAt)
				}
			case errors.Is(retryErrs[i], model.ErrTokenReused):
				if a1.UsedAt.IsZero() {
					t.Errorf("%s: the retry was refused as reuse though nothing used the successor", g)
				}
				checkRevokedAt(t, s, next, g+"-h-r1", g+"-h-a1")
			default:
				t.Errorf("%s: retry: %v", g, retryErrs[i])
			}
		}
	})
}

// raceRetry makes a few grants whose first refresh token r0 was rotated at
// `at` into r1 (with access token a1), then, in each at once, retries r0 at
// next and runs use on the grant; it returns the grants and both errors.
func raceRetry(t *testing.T, s Store, at, next time.Time, grace time.Duration, use func(g string) error) (grants []string, retryErrs, useErrs []error) {
	t.Helper()
	const rounds = 6
	for i := range rounds {
		g := fmt.Sprint("race-", i)
		grants = append(grants, g)
		must(t, "CreateTokens", s.CreateTokens(t.Context(), familyRoot(g)))
		must(t, "RotateRefreshToken", s.RotateRefreshToken(t.Context(), g+"-r0", at, grace, family(g, "1", g+"-r0", at)))
	}
	retryErrs, useErrs = make([]error, rounds), make([]error, rounds)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, g := range grants {
		wg.Go(func() {
			<-start
			retryErrs[i] = s.RotateRefreshToken(t.Context(), g+"-r0", next, grace, family(g, "2", g+"-r0", next))
		})
		wg.Go(func() {
			<-start
			useErrs[i] = use(g)
		})
	}
	close(start)
	wg.Wait()
	return grants, retryErrs, useErrs
}

// familyRoot is the first refresh token of grant g, with no parent.
func familyRoot(g string) *model.Token {
	return token(g+"-h-r0", g+"-r0", model.TokenRefresh, g, "")
}

// family is rotation for grant g: tokens named after g.
func family(g, n, parentID string, now time.Time) []*model.Token {
	r := token(g+"-h-r"+n, g+"-r"+n, model.TokenRefresh, g, parentID)
	a := token(g+"-h-a"+n, g+"-a"+n, model.TokenAccess, g, g+"-r"+n)
	r.IssuedAt, a.IssuedAt = now, now
	return []*model.Token{a, r}
}

// checkUsedAt fails unless each token's UsedAt is at (zero: not recorded).
func checkUsedAt(t *testing.T, s Store, at time.Time, hashes ...string) {
	t.Helper()
	checkTokenTime(t, s, "UsedAt", func(x *model.Token) time.Time { return x.UsedAt }, at, hashes...)
}
