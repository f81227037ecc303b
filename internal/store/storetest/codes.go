package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func authCode(hash, grantID string) *model.AuthCode {
	return &model.AuthCode{
		Hash:                hash,
		GrantID:             grantID,
		ClientID:            "app-1",
		UserID:              "user-1",
		RedirectURI:         "https://app.example/callback?x=1",
		Scope:               "openid profile email",
		Protocol:            model.ProtocolOIDC,
		Nonce:               "n-0S6_WzA2Mj",
		CodeChallenge:       "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256",
		SessionIDHash:       "sess-1",
		AuthTime:            t0.Add(-time.Minute).In(east),
		AMR:                 []string{"pwd"},
		ACR:                 "urn:genauth:loa:1",
		CreatedAt:           t0.In(east),
		ExpiresAt:           t0.Add(model.AuthCodeTTL).In(east),
	}
}

// codeExpiry is when authCode's codes expire.
var codeExpiry = t0.Add(model.AuthCodeTTL)

func testAuthCodes(t *testing.T, open Opener) {
	t.Run("Get", func(t *testing.T) {
		s := open(t)
		want := authCode("code-1", "grant-1")
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), want))
		tests := []struct {
			name string
			hash string
			now  time.Time
			err  error
		}{
			{"at creation", "code-1", t0, nil},
			{"just before expiry", "code-1", codeExpiry.Add(-time.Millisecond), nil},
			{"at expiry", "code-1", codeExpiry, model.ErrNotFound},
			{"after expiry", "code-1", codeExpiry.Add(time.Hour), model.ErrNotFound},
			{"unknown", "code-2", t0, model.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.GetAuthCode(t.Context(), tt.hash, tt.now)
				if tt.err != nil {
					wantErr(t, "GetAuthCode", err, tt.err)
					return
				}
				must(t, "GetAuthCode", err)
				diff(t, "code", want, got)
				checkUTC(t, "code", got.AuthTime, got.CreatedAt, got.ExpiresAt)
			})
		}
	})

	t.Run("DuplicateHash", func(t *testing.T) {
		s := open(t)
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), authCode("code-1", "grant-1")))
		wantErr(t, "CreateAuthCode with a taken hash", s.CreateAuthCode(t.Context(), authCode("code-1", "grant-2")),
			model.ErrConflict)
		got, err := s.GetAuthCode(t.Context(), "code-1", t0)
		must(t, "GetAuthCode", err)
		diff(t, "code after the conflict", authCode("code-1", "grant-1"), got)
	})

	t.Run("Redeem", func(t *testing.T) {
		s := open(t)
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), authCode("code-1", "grant-1")))
		issued := []*model.Token{
			token("h-access", "jti-access", model.TokenAccess, "grant-1", ""),
			token("h-refresh", "jti-refresh", model.TokenRefresh, "grant-1", ""),
		}
		must(t, "RedeemAuthCode", s.RedeemAuthCode(t.Context(), "code-1", t0.Add(time.Minute), issued))
		for _, want := range issued {
			got, err := s.GetToken(t.Context(), want.Hash)
			must(t, "GetToken", err)
			diff(t, "issued token", want, got)
		}
		for _, now := range []time.Time{t0.Add(time.Minute), codeExpiry.Add(time.Hour)} {
			_, err := s.GetAuthCode(t.Context(), "code-1", now)
			wantErr(t, "GetAuthCode of a redeemed code", err, model.ErrCodeRedeemed)
		}
	})

	t.Run("NothingIssued", func(t *testing.T) {
		s := open(t)
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), authCode("code-1", "grant-1")))
		must(t, "RedeemAuthCode", s.RedeemAuthCode(t.Context(), "code-1", t0, nil))
		_, err := s.GetAuthCode(t.Context(), "code-1", t0)
		wantErr(t, "GetAuthCode of a redeemed code", err, model.ErrCodeRedeemed)
	})

	// A second redemption revokes every token of the grant, also those
	// refreshed from it, even after the code expired (RFC 6749 section 4.1.2).
	t.Run("Replay", func(t *testing.T) {
		tests := []struct {
			name string
			at   time.Time
		}{
			{"before expiry", t0.Add(2 * time.Minute)},
			{"after expiry", codeExpiry.Add(time.Hour)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := open(t)
				must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), authCode("code-1", "grant-1")))
				must(t, "RedeemAuthCode", s.RedeemAuthCode(t.Context(), "code-1", t0.Add(time.Minute), []*model.Token{
					token("h-access", "jti-access", model.TokenAccess, "grant-1", ""),
					token("h-refresh", "jti-refresh", model.TokenRefresh, "grant-1", ""),
				}))
				must(t, "RefreshTokens", s.RefreshTokens(t.Context(), "jti-refresh", t0.Add(90*time.Second), []*model.Token{
					token("h-child", "jti-child", model.TokenAccess, "grant-1", "jti-refresh"),
				}))
				_, err := s.RevokeToken(t.Context(), "h-access", t0.Add(100*time.Second))
				must(t, "RevokeToken", err)
				must(t, "CreateTokens", s.CreateTokens(t.Context(), token("h-unrelated", "jti-unrelated", model.TokenAccess, "grant-2", "")))

				err = s.RedeemAuthCode(t.Context(), "code-1", tt.at, []*model.Token{
					token("h-replay", "jti-replay", model.TokenAccess, "grant-1", ""),
				})
				wantErr(t, "second RedeemAuthCode", err, model.ErrCodeRedeemed)
				checkRevokedAt(t, s, tt.at, "h-refresh", "h-child")
				checkRevokedAt(t, s, t0.Add(100*time.Second), "h-access")
				checkRevokedAt(t, s, time.Time{}, "h-unrelated")
				checkAbsent(t, s, "h-replay")
				_, err = s.GetAuthCode(t.Context(), "code-1", t0.Add(2*time.Minute))
				wantErr(t, "GetAuthCode after the replay", err, model.ErrCodeRedeemed)
			})
		}
	})

	t.Run("ExpiredOrUnknown", func(t *testing.T) {
		tests := []struct {
			name string
			hash string
			now  time.Time
		}{
			{"at expiry", "code-1", codeExpiry},
			{"after expiry", "code-1", codeExpiry.Add(time.Hour)},
			{"unknown", "code-2", t0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := open(t)
				must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), authCode("code-1", "grant-1")))
				err := s.RedeemAuthCode(t.Context(), tt.hash, tt.now, []*model.Token{
					token("h-access", "jti-access", model.TokenAccess, "grant-1", ""),
				})
				wantErr(t, "RedeemAuthCode", err, model.ErrNotFound)
				checkAbsent(t, s, "h-access")
				// The failed attempt did not mark the code redeemed.
				_, err = s.GetAuthCode(t.Context(), "code-1", t0)
				must(t, "GetAuthCode", err)
			})
		}
	})

	t.Run("ConflictRollsBack", func(t *testing.T) {
		s := open(t)
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), authCode("code-1", "grant-1")))
		must(t, "CreateTokens", s.CreateTokens(t.Context(), token("h-old", "jti-old", model.TokenAccess, "grant-0", "")))
		err := s.RedeemAuthCode(t.Context(), "code-1", t0, []*model.Token{
			token("h-access", "jti-access", model.TokenAccess, "grant-1", ""),
			token("h-old", "jti-refresh", model.TokenRefresh, "grant-1", ""),
		})
		wantErr(t, "RedeemAuthCode", err, model.ErrConflict)
		checkAbsent(t, s, "h-access")
		_, err = s.GetAuthCode(t.Context(), "code-1", t0)
		must(t, "GetAuthCode after the failed redemption", err)
		must(t, "RedeemAuthCode", s.RedeemAuthCode(t.Context(), "code-1", t0, []*model.Token{
			token("h-access", "jti-access", model.TokenAccess, "grant-1", ""),
		}))
	})

	// Of many simultaneous redemptions exactly one wins; the rest are
	// replays, so the winner's tokens end up revoked.
	// Codes created at once (on SQLite in shared commits): a taken hash
	// fails its own caller alone.
	t.Run("ConcurrentCreate", func(t *testing.T) {
		const n, taken = 16, 5
		s := open(t)
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), authCode("code-taken", "grant-0")))
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				c := authCode(hashN("code", i), hashN("grant", i))
				if i == taken {
					c.Hash = "code-taken"
				}
				<-start
				errs[i] = s.CreateAuthCode(t.Context(), c)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if i == taken {
				wantErr(t, "CreateAuthCode with a taken hash", err, model.ErrConflict)
				continue
			}
			must(t, "CreateAuthCode", err)
			got, err := s.GetAuthCode(t.Context(), hashN("code", i), t0)
			must(t, "GetAuthCode", err)
			diff(t, "code", authCode(hashN("code", i), hashN("grant", i)), got)
		}
		got, err := s.GetAuthCode(t.Context(), "code-taken", t0)
		must(t, "GetAuthCode", err)
		diff(t, "code after the conflict", authCode("code-taken", "grant-0"), got)
	})

	t.Run("Concurrent", func(t *testing.T) {
		const n = 12
		s := open(t)
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), authCode("code-1", "grant-1")))
		now := t0.Add(time.Minute)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = s.RedeemAuthCode(t.Context(), "code-1", now, []*model.Token{
					token(hashN("h-access", i), hashN("jti-access", i), model.TokenAccess, "grant-1", ""),
				})
			})
		}
		close(start)
		wg.Wait()
		winners := 0
		for i, err := range errs {
			h := hashN("h-access", i)
			switch {
			case err == nil:
				winners++
				checkRevokedAt(t, s, now, h)
			case isCodeRedeemed(err):
				checkAbsent(t, s, h)
			default:
				t.Errorf("RedeemAuthCode %d: %v", i, err)
			}
		}
		if winners != 1 {
			t.Errorf("%d of %d concurrent redemptions succeeded, want exactly 1", winners, n)
		}
	})
}
