package oauth

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/protocol/cors"
)

// TokenStore keeps authorization codes and tokens, by the hash of their
// value. Lookups that find nothing give model.ErrNotFound.
type TokenStore interface {
	// CreateAuthCode stores a new code; a taken hash gives model.ErrConflict.
	CreateAuthCode(ctx context.Context, c *model.AuthCode) error
	// GetAuthCode returns an unexpired, unredeemed code. A redeemed code gives
	// model.ErrCodeRedeemed, an expired or unknown one model.ErrNotFound.
	GetAuthCode(ctx context.Context, hash string, now time.Time) (*model.AuthCode, error)
	// RedeemAuthCode atomically marks the code redeemed and stores the tokens
	// issued for it. If the code was redeemed before, it revokes every token of
	// the code's grant and returns model.ErrCodeRedeemed; of two concurrent
	// calls exactly one succeeds.
	RedeemAuthCode(ctx context.Context, hash string, now time.Time, issued []*model.Token) error

	// CreateTokens stores tokens atomically (all or none).
	CreateTokens(ctx context.Context, tokens ...*model.Token) error
	// GetToken returns the token with this hash, active or not.
	GetToken(ctx context.Context, hash string) (*model.Token, error)
	// GetTokenWithUser is GetToken that also returns the token's user, nil
	// when the token has none or the user no longer exists.
	GetTokenWithUser(ctx context.Context, hash string) (*model.Token, *model.User, error)
	// RefreshTokens atomically checks that the refresh token with refreshID is
	// still active at now and stores the tokens issued from it. An expired or
	// revoked refresh token gives model.ErrInactive and stores nothing.
	RefreshTokens(ctx context.Context, refreshID string, now time.Time, issued []*model.Token) error
	// RotateRefreshToken atomically retires the refresh token with refreshID
	// and stores the tokens issued in its place.
	//
	// A retired token presented again is a retry, rotated anew, only while
	// its successor is unused: retired at most grace ago, and no refresh
	// token its rotations issued has been rotated or revoked since, and no
	// access token issued with one has a UsedAt (see RecordTokenUse). The
	// retry revokes what the earlier rotations issued, so one branch stays
	// live. Anything else is reuse: every token of the grant is revoked and
	// model.ErrTokenReused returned. So is presenting a refresh token that
	// such a retry gave up (revoked when a sibling was issued).
	//
	// Otherwise revoked or expired: model.ErrInactive; unknown:
	// model.ErrNotFound. Of concurrent calls with grace 0, exactly one
	// succeeds; of a retry and a concurrent use of the successor (rotation
	// or RecordTokenUse), exactly one succeeds.
	RotateRefreshToken(ctx context.Context, refreshID string, now time.Time, grace time.Duration, issued []*model.Token) error
	// RecordTokenUse sets UsedAt to now on the access token with this hash
	// when a refresh token rotation issued it (its refresh token has a
	// parent), it is unrevoked and has no UsedAt yet; otherwise it changes
	// nothing. A missing token is not an error.
	RecordTokenUse(ctx context.Context, hash string, now time.Time) error
	// RevokeToken revokes the token with this hash at now and, when it is a
	// refresh token, every unrevoked token of its grant (RFC 7009 section
	// 2.1: access tokens based on the same grant), even when the refresh
	// token itself was revoked before (say, by rotation). It returns the
	// token as it was found; a missing token gives model.ErrNotFound.
	RevokeToken(ctx context.Context, hash string, now time.Time) (*model.Token, error)
}

// ConsentStore keeps the scopes each user allowed each client.
type ConsentStore interface {
	// SaveConsent creates or replaces the user's consent for the client.
	SaveConsent(ctx context.Context, c *model.Consent) error
	// GetConsent returns the user's consent for the client, or model.ErrNotFound.
	GetConsent(ctx context.Context, userID, clientID string) (*model.Consent, error)
}

// Apps finds the applications: every authorization, token, introspection
// and revocation request names its client. The server puts a cache in front.
type Apps interface {
	GetApplication(ctx context.Context, id string) (*model.Application, error)
	cors.Lister
}

// Users reads the users tokens are issued to, for their claims.
type Users interface {
	GetUser(ctx context.Context, id string) (*model.User, error)
}
