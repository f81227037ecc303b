package idtoken

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/protocol/claims"
)

// AccessTokenType is the `typ` header of JWT access tokens (RFC 9068
// section 2.1): a verifier that requires it cannot take an id token, signed
// by the same keys for the same audience, for an access token. The SDKs'
// offline checks (Node parseAccessToken, Python introspect_token_offline)
// do not read `typ`, so they accept it as they accept "JWT".
const AccessTokenType = "at+jwt"

// AccessToken is what goes into a JWT access token.
type AccessToken struct {
	Issuer   string
	Subject  string // the user; empty for a client's own (client_credentials) token
	ClientID string // the `aud`, `client_id` and, without a user, `azp`
	Scope    string
	ID       string // `jti`, the recorded token's id
	// IssuedAt is the issue time, never later, for verifiers that refuse
	// an `iat` in the future without leeway.
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// SignAccessToken mints a JWT access token (RFC 9068, and the claims
// GenAuth's SDKs check offline) with the active RS256 key, whatever the
// application's id token algorithm: the Python SDK loads JWKS keys as RSA.
func (k *Keys) SignAccessToken(ctx context.Context, t AccessToken) (string, error) {
	c := claims.Claims{{Name: "iss", Value: t.Issuer}}
	if t.Subject != "" {
		c = append(c, claims.Claim{Name: "sub", Value: t.Subject})
	}
	c = append(c,
		claims.Claim{Name: "aud", Value: t.ClientID},
		claims.Claim{Name: "client_id", Value: t.ClientID},
	)
	if t.Subject == "" {
		c = append(c, claims.Claim{Name: "azp", Value: t.ClientID})
	}
	c = append(c,
		claims.Claim{Name: "iat", Value: t.IssuedAt.Unix()},
		claims.Claim{Name: "exp", Value: t.ExpiresAt.Unix()},
		claims.Claim{Name: "jti", Value: t.ID},
		claims.Claim{Name: "scope", Value: t.Scope},
	)
	return k.sign(ctx, model.SigningRS256, AccessTokenType, c)
}
