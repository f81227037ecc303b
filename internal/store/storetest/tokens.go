package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// tokenTTL is the lifetime of the tokens token makes.
const tokenTTL = time.Hour

// token returns an unrevoked token issued at t0 that expires at t0+tokenTTL.
func token(hash, id, kind, grantID, parentID string) *model.Token {
	return &model.Token{
		Hash:      hash,
		ID:        id,
		Kind:      kind,
		GrantID:   grantID,
		ParentID:  parentID,
		ClientID:  "app-1",
		UserID:    "user-1",
		Scope:     "openid profile",
		Protocol:  model.ProtocolOIDC,
		IssuedAt:  t0,
		ExpiresAt: t0.Add(tokenTTL),
	}
}

// checkAbsent fails unless none of the hashes is stored.
func checkAbsent(t *testing.T, s Store, hashes ...string) {
	t.Helper()
	for _, h := range hashes {
		if _, err := s.GetToken(t.Context(), h); !isNotFound(err) {
			t.Errorf("GetToken(%q): error = %v, want it not stored", h, err)
		}
	}
}

// checkRevokedAt fails unless each token's RevokedAt is at (zero: unrevoked).
func checkRevokedAt(t *testing.T, s Store, at time.Time, hashes ...string) {
	t.Helper()
	checkTokenTime(t, s, "RevokedAt", func(x *model.Token) time.Time { return x.RevokedAt }, at, hashes...)
}

// checkTokenTime fails unless the time field (named name) of each token is at.
func checkTokenTime(t *testing.T, s Store, name string, field func(*model.Token) time.Time, at time.Time, hashes ...string) {
	t.Helper()
	for _, h := range hashes {
		got, err := s.GetToken(t.Context(), h)
		if err != nil {
			t.Errorf("GetToken(%q): %v", h, err)
			continue
		}
		if !field(got).Equal(at) {
			t.Errorf("token %q: %s = %v, want %v", h, name, field(got), at)
		}
	}
}

func testTokens(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		access := token("h-access", "jti-access", model.TokenAccess, "grant-1", "jti-refresh-0")
		access.IssuedAt, access.ExpiresAt = t0.In(east), t0.Add(tokenTTL).In(east)
		refresh := token("h-refresh", "jti-refresh", model.TokenRefresh, "grant-1", "")
		refresh.Protocol, refresh.Scope, refresh.ACR = model.ProtocolOAuth, "user", "urn:genauth:loa:2"
		client := token("h-client", "jti-client", model.TokenAccess, "grant-2", "")
		client.UserID = ""
		revoked := token("h-revoked", "jti-revoked", model.TokenAccess, "grant-3", "")
		revoked.RevokedAt = t0.Add(time.Minute).In(east)
		tokens := []*model.Token{access, refresh, client, revoked}
		must(t, "CreateTokens", s.CreateTokens(t.Context(), tokens...))
		for _, want := range tokens {
			got, err := s.GetToken(t.Context(), want.Hash)
			must(t, "GetToken", err)
			diff(t, "token", want, got)
			checkUTC(t, "token", got.IssuedAt, got.ExpiresAt, got.RevokedAt)
			if want.RevokedAt.IsZero() && !got.RevokedAt.IsZero() {
				t.Errorf("token %q: RevokedAt = %v, want zero", want.Hash, got.RevokedAt)
			}
		}
	})

	t.Run("CreateNothing", func(t *testing.T) {
		must(t, "CreateTokens()", open(t).CreateTokens(t.Context()))
	})

	t.Run("AllOrNone", func(t *testing.T) {
		tests := []struct {
			name   string
			batch  []*model.Token
			absent []string
		}{
			{
				name: "duplicate hash in the batch",
				batch: []*model.Token{
					token("h1", "jti-1", model.TokenAccess, "g", ""),
					token("h2", "jti-2", model.TokenRefresh, "g", ""),
					token("h1", "jti-3", model.TokenAccess, "g", ""),
				},
				absent: []string{"h1", "h2"},
			},
			{
				name: "hash already stored",
				batch: []*model.Token{
					token("h1", "jti-1", model.TokenAccess, "g", ""),
					token("h-old", "jti-2", model.TokenAccess, "g", ""),
				},
				absent: []string{"h1"},
			},
			{
				name: "duplicate id in the batch",
				batch: []*model.Token{
					token("h1", "jti-1", model.TokenAccess, "g", ""),
					token("h2", "jti-1", model.TokenAccess, "g", ""),
				},
				absent: []string{"h1", "h2"},
			},
			{
				name: "id already stored",
				batch: []*model.Token{
					token("h1", "jti-1", model.TokenAccess, "g", ""),
					token("h2", "jti-old", model.TokenAccess, "g", ""),
				},
				absent: []string{"h1", "h2"},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := open(t)
				old := token("h-old", "jti-old", model.TokenAccess, "g-old", "")
				must(t, "CreateTokens", s.CreateTokens(t.Context(), old))
				wantErr(t, "CreateTokens", s.CreateTokens(t.Context(), tt.batch...), model.ErrConflict)
				checkAbsent(t, s, tt.absent...)
				got, err := s.GetToken(t.Context(), "h-old")
				must(t, "GetToken of the stored token", err)
				diff(t, "stored token", old, got)
			})
		}
	})

	// Concurrent callers may share a transaction (SQLite's group commit):
	// still each call is all or none on its own.
	t.Run("ConcurrentAllOrNone", func(t *testing.T) {
		s := open(t)
		must(t, "CreateTokens", s.CreateTokens(t.Context(), token("h-old", "jti-old", model.TokenAccess, "g-old", "")))
		const callers, rounds = 48, 4
		for round := range rounds {
			bad := (round*17 + 5) % callers // a different place in the queue each round
			start := make(chan struct{})
			errs := make([]error, callers)
			var wg sync.WaitGroup
			for i := range callers {
				wg.Go(func() {
					u := fmt.Sprintf("r%d-c%d", round, i)
					second := token(u+"-h2", u+"-j2", model.TokenRefresh, u+"-g", "")
					if i == bad {
						second.Hash = "h-old"
					}
					<-start
					errs[i] = s.CreateTokens(t.Context(), token(u+"-h1", u+"-j1", model.TokenAccess, u+"-g", ""), second)
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				u := fmt.Sprintf("r%d-c%d", round, i)
				if i == bad {
					wantErr(t, "CreateTokens with a stored hash", err, model.ErrConflict)
					checkAbsent(t, s, u+"-h1")
					continue
				}
				must(t, "CreateTokens", err)
				for _, h := range []string{u + "-h1", u + "-h2"} {
					if _, err := s.GetToken(t.Context(), h); err != nil {
						t.Errorf("GetToken(%q): %v", h, err)
					}
				}
			}
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		must(t, "CreateTokens", s.CreateTokens(t.Context(), token("h1", "jti-1", model.TokenAccess, "g", "")))
		_, err := s.GetToken(t.Context(), "h2")
		wantErr(t, "GetToken of an unknown hash", err, model.ErrNotFound)
	})

	t.Run("Active", func(t *testing.T) {
		s := open(t)
		must(t, "CreateTokens", s.CreateTokens(t.Context(),
			token("h-live", "jti-live", model.TokenAccess, "g", ""),
			token("h-revoked", "jti-revoked", model.TokenAccess, "g", "")))
		_, err := s.RevokeToken(t.Context(), "h-revoked", t0.Add(time.Minute))
		must(t, "RevokeToken", err)
		tests := []struct {
			hash string
			now  time.Time
			want bool
		}{
			{"h-live", t0, true},
			{"h-live", t0.Add(tokenTTL - time.Millisecond), true},
			{"h-live", t0.Add(tokenTTL), false},
			{"h-live", t0.Add(2 * tokenTTL), false},
			{"h-revoked", t0.Add(2 * time.Minute), false},
		}
		for _, tt := range tests {
			got, err := s.GetToken(t.Context(), tt.hash)
			must(t, "GetToken", err)
			if a := got.Active(tt.now); a != tt.want {
				t.Errorf("token %q at %v: Active = %v, want %v", tt.hash, tt.now, a, tt.want)
			}
		}
	})

	t.Run("Refresh", testRefresh(open))
	t.Run("Revoke", testRevoke(open))
}

func testRefresh(open Opener) func(*testing.T) {
	return func(t *testing.T) {
		// setup stores the refresh token "h-parent" (ID "jti-parent", expiring
		// at t0+tokenTTL) and returns the tokens a refresh would issue.
		setup := func(t *testing.T) (Store, []*model.Token) {
			s := open(t)
			must(t, "CreateTokens", s.CreateTokens(t.Context(),
				token("h-parent", "jti-parent", model.TokenRefresh, "g", "")))
			access := token("h-child", "jti-child", model.TokenAccess, "g", "jti-parent")
			access.IssuedAt = t0.Add(10 * time.Minute)
			refresh := token("h-next", "jti-next", model.TokenRefresh, "g", "jti-parent")
			refresh.IssuedAt = t0.Add(10 * time.Minute)
			return s, []*model.Token{access, refresh}
		}

		t.Run("ActiveParent", func(t *testing.T) {
			s, issued := setup(t)
			must(t, "RefreshTokens", s.RefreshTokens(t.Context(), "jti-parent", t0.Add(10*time.Minute), issued))
			for _, want := range issued {
				got, err := s.GetToken(t.Context(), want.Hash)
				must(t, "GetToken", err)
				diff(t, "issued token", want, got)
			}
		})

		tests := []struct {
			name    string
			revoke  bool // revoke the parent at t0+5m first
			now     time.Time
			refresh string
			want    error
		}{
			{"revoked parent", true, t0.Add(10 * time.Minute), "jti-parent", model.ErrInactive},
			{"parent at its expiry", false, t0.Add(tokenTTL), "jti-parent", model.ErrInactive},
			{"expired parent", false, t0.Add(2 * tokenTTL), "jti-parent", model.ErrInactive},
			{"unknown parent", false, t0.Add(10 * time.Minute), "jti-unknown", model.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, issued := setup(t)
				if tt.revoke {
					_, err := s.RevokeToken(t.Context(), "h-parent", t0.Add(5*time.Minute))
					must(t, "RevokeToken", err)
				}
				wantErr(t, "RefreshTokens", s.RefreshTokens(t.Context(), tt.refresh, tt.now, issued), tt.want)
				checkAbsent(t, s, "h-child", "h-next")
			})
		}

		t.Run("ConflictStoresNothing", func(t *testing.T) {
			s, issued := setup(t)
			issued[1].Hash = "h-parent"
			wantErr(t, "RefreshTokens", s.RefreshTokens(t.Context(), "jti-parent", t0.Add(10*time.Minute), issued),
				model.ErrConflict)
			checkAbsent(t, s, "h-child")
		})

		// Whatever order the store picks, no active child of the revoked
		// parent may remain: a refresh either runs first and its tokens are
		// revoked with the parent, or runs after and gets ErrInactive.
		t.Run("ConcurrentRevoke", func(t *testing.T) {
			const n = 8
			s, _ := setup(t)
			now := t0.Add(10 * time.Minute)
			errs := make([]error, n)
			var revokeErr error
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					child := token(hashN("h-child", i), hashN("jti-child", i), model.TokenAccess, "g", "jti-parent")
					errs[i] = s.RefreshTokens(t.Context(), "jti-parent", now, []*model.Token{child})
				})
			}
			wg.Go(func() {
				<-start
				_, revokeErr = s.RevokeToken(t.Context(), "h-parent", now)
			})
			close(start)
			wg.Wait()
			must(t, "RevokeToken", revokeErr)
			for i, err := range errs {
				h := hashN("h-child", i)
				switch {
				case err == nil:
					checkRevokedAt(t, s, now, h)
				case isInactive(err):
					checkAbsent(t, s, h)
				default:
					t.Errorf("RefreshTokens %d: %v", i, err)
				}
			}
		})
	}
}

func testRevoke(open Opener) func(*testing.T) {
	return func(t *testing.T) {
		// setup stores a refresh token with three children (one revoked at
		// t0+1m), a token of another parent in the same grant, and a token of
		// another grant.
		setup := func(t *testing.T) Store {
			s := open(t)
			gone := token("h-gone", "jti-gone", model.TokenAccess, "g", "jti-r")
			gone.RevokedAt = t0.Add(time.Minute)
			must(t, "CreateTokens", s.CreateTokens(t.Context(),
				token("h-r", "jti-r", model.TokenRefresh, "g", ""),
				token("h-a1", "jti-a1", model.TokenAccess, "g", "jti-r"),
				token("h-a2", "jti-a2", model.TokenRefresh, "g", "jti-r"),
				gone,
				token("h-other", "jti-other", model.TokenAccess, "g", "jti-r0"),
				token("h-stranger", "jti-stranger", model.TokenAccess, "g2", "jti-r")))
			return s
		}
		at := t0.Add(5 * time.Minute)

		t.Run("RefreshRevokesGrant", func(t *testing.T) {
			s := setup(t)
			got, err := s.RevokeToken(t.Context(), "h-r", at)
			must(t, "RevokeToken", err)
			diff(t, "returned token (as found)", token("h-r", "jti-r", model.TokenRefresh, "g", ""), got)
			checkRevokedAt(t, s, at, "h-r", "h-a1", "h-a2", "h-other")
			checkRevokedAt(t, s, t0.Add(time.Minute), "h-gone")
			checkRevokedAt(t, s, time.Time{}, "h-stranger")
		})

		t.Run("AccessOnlyItself", func(t *testing.T) {
			s := setup(t)
			// Only refresh tokens reach the rest of their grant.
			must(t, "CreateTokens", s.CreateTokens(t.Context(), token("h-odd", "jti-odd", model.TokenAccess, "g", "jti-a1")))
			got, err := s.RevokeToken(t.Context(), "h-a1", at)
			must(t, "RevokeToken", err)
			diff(t, "returned token (as found)", token("h-a1", "jti-a1", model.TokenAccess, "g", "jti-r"), got)
			checkRevokedAt(t, s, at, "h-a1")
			checkRevokedAt(t, s, time.Time{}, "h-r", "h-a2", "h-other", "h-odd", "h-stranger")
		})

		t.Run("Idempotent", func(t *testing.T) {
			s := setup(t)
			_, err := s.RevokeToken(t.Context(), "h-r", at)
			must(t, "RevokeToken", err)
			// A token of the grant issued after the revocation (not possible
			// through RefreshTokens) is caught by a second revoke; what was
			// revoked keeps its first RevokedAt.
			must(t, "CreateTokens", s.CreateTokens(t.Context(), token("h-late", "jti-late", model.TokenAccess, "g", "jti-r")))
			second := at.Add(time.Hour)
			got, err := s.RevokeToken(t.Context(), "h-r", second)
			must(t, "second RevokeToken", err)
			if !got.RevokedAt.Equal(at) {
				t.Errorf("second RevokeToken returned RevokedAt = %v, want the first, %v", got.RevokedAt, at)
			}
			checkRevokedAt(t, s, at, "h-r", "h-a1", "h-a2", "h-other")
			checkRevokedAt(t, s, second, "h-late")
		})

		t.Run("RevokesExpired", func(t *testing.T) {
			s := setup(t)
			late := t0.Add(2 * tokenTTL)
			_, err := s.RevokeToken(t.Context(), "h-r", late)
			must(t, "RevokeToken", err)
			checkRevokedAt(t, s, late, "h-r", "h-a1")
		})

		t.Run("NotFound", func(t *testing.T) {
			s := setup(t)
			_, err := s.RevokeToken(t.Context(), "h-unknown", at)
			wantErr(t, "RevokeToken of an unknown hash", err, model.ErrNotFound)
		})
	}
}

// testTokenWithUser checks that GetTokenWithUser reads what GetToken and
// GetUser read, and no user where the token has none.
func testTokenWithUser(t *testing.T, open Opener) {
	s := open(t)
	u := fullUser()
	u.CustomData = map[string]any{"team": "engines"}
	must(t, "CreateUser", s.CreateUser(t.Context(), u))
	withUser := token("h-user", "jti-user", model.TokenAccess, "grant-1", "")
	withUser.UserID = u.ID
	client := token("h-client", "jti-client", model.TokenAccess, "grant-2", "")
	client.UserID = ""
	gone := token("h-gone", "jti-gone", model.TokenAccess, "grant-3", "")
	gone.UserID = "user-gone"
	must(t, "CreateTokens", s.CreateTokens(t.Context(), withUser, client, gone))

	wantUser, err := s.GetUser(t.Context(), u.ID)
	must(t, "GetUser", err)
	for _, tok := range []*model.Token{withUser, client, gone} {
		want, err := s.GetToken(t.Context(), tok.Hash)
		must(t, "GetToken", err)
		got, gotUser, err := s.GetTokenWithUser(t.Context(), tok.Hash)
		must(t, "GetTokenWithUser", err)
		diff(t, "token "+tok.Hash, want, got)
		switch {
		case tok == withUser:
			diff(t, "user of "+tok.Hash, wantUser, gotUser)
		case gotUser != nil:
			t.Errorf("GetTokenWithUser(%q): user %q, want none", tok.Hash, gotUser.ID)
		}
	}
	if _, _, err := s.GetTokenWithUser(t.Context(), "h-unknown"); !isNotFound(err) {
		t.Errorf("GetTokenWithUser(unknown): error = %v, want model.ErrNotFound", err)
	}
}
