package authentication

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
)

// AccessTokenType is the typ header of GenAuth's JWT access tokens (RFC
// 9068 section 2.1). VerifyAccessToken requires it, so an id token, signed
// by the same keys for the same audience, is never taken for an access token.
const AccessTokenType = "at+jwt"

// ErrInvalidAccessToken is matched (with errors.Is) by every error of
// VerifyAccessToken that says the token itself is unacceptable, together
// with one of the reasons (ErrMalformedToken, ErrWrongAlgorithm,
// ErrUnknownKey, ErrBadSignature, ErrWrongIssuer, ErrWrongAudience,
// ErrTokenExpired, ErrTokenNotYetValid). Other errors mean the token could
// not be checked (the JWKS could not be fetched, the context ended).
var ErrInvalidAccessToken = errors.New("authentication: invalid access token")

// IsJWT reports whether token has the shape of a compact JWS (three
// dot-separated segments), as GenAuth's JWT access tokens do; its opaque
// ones are 40 hexadecimal characters.
func IsJWT(token string) bool { return strings.Count(token, ".") == 2 }

// VerifyAccessToken checks a JWT access token offline, against the server's
// JWKS (fetched through discovery and cached): a compact JWS with typ
// at+jwt, RS256 and a kid the JWKS holds; a valid signature; iss
// <AppHost>/oidc or <AppHost>/oauth; aud containing AppID; exp, iat and nbf
// against the clock with DefaultLeeway. It answers with what introspection
// would (Active true, sub, client_id, scope, exp, iat, iss, jti), with Raw
// the token's claim set.
//
// Offline verification cannot see revocation: a token revoked, kicked out
// or logged out stays valid here until it expires. Keep access token
// lifetimes short, or also ask IntrospectToken (RequireToken's
// WithRevocationCheck does).
func (c *Client) VerifyAccessToken(ctx context.Context, raw string) (*Introspection, error) {
	in, err := c.verifyAccessToken(ctx, raw)
	if err != nil && errors.Is(err, ErrInvalidIDToken) {
		return nil, &accessTokenError{err}
	}
	return in, err
}

func (c *Client) verifyAccessToken(ctx context.Context, raw string) (*Introspection, error) {
	jws, err := parseCompact(raw)
	if err != nil {
		return nil, err
	}
	if jws.header.Typ != AccessTokenType {
		return nil, invalid(ErrMalformedToken, "typ %q, want %q", jws.header.Typ, AccessTokenType)
	}
	// GenAuth signs access tokens with RS256 whatever the id token setting.
	if jws.header.Alg != AlgRS256 {
		return nil, invalid(ErrWrongAlgorithm, "alg %q, want %q", jws.header.Alg, AlgRS256)
	}
	if jws.header.Kid == "" {
		return nil, invalid(ErrMalformedToken, "no kid")
	}
	key, err := c.verifier.keys.key(ctx, jws.header.Kid, AlgRS256)
	if err != nil {
		return nil, err
	}
	if err := jws.verifySignature(AlgRS256, key); err != nil {
		return nil, err
	}
	var claims struct {
		Iss      string       `json:"iss"`
		Sub      string       `json:"sub"`
		Aud      audience     `json:"aud"`
		ClientID string       `json:"client_id"`
		Azp      string       `json:"azp"`
		Exp      *numericDate `json:"exp"`
		Iat      *numericDate `json:"iat"`
		Nbf      *numericDate `json:"nbf"`
		JTI      string       `json:"jti"`
		Scope    string       `json:"scope"`
	}
	if err := json.Unmarshal(jws.payload, &claims); err != nil {
		return nil, invalid(ErrMalformedToken, "claims: %v", err)
	}
	if claims.Exp == nil || claims.Iat == nil || claims.JTI == "" {
		return nil, invalid(ErrMalformedToken, "exp, iat and jti are required")
	}
	host := strings.TrimSuffix(c.verifier.issuer, "/oidc")
	if claims.Iss != host+"/oidc" && claims.Iss != host+"/oauth" {
		return nil, invalid(ErrWrongIssuer, "iss %q, want %q or %q", claims.Iss, host+"/oidc", host+"/oauth")
	}
	if !slices.Contains(claims.Aud, c.opts.AppID) {
		return nil, invalid(ErrWrongAudience, "aud %q does not contain %q", claims.Aud, c.opts.AppID)
	}
	now := c.verifier.now()
	exp, iat := time.Time(*claims.Exp), time.Time(*claims.Iat)
	if !now.Before(exp.Add(DefaultLeeway)) {
		return nil, invalid(ErrTokenExpired, "exp %s, now %s", exp.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if iat.After(now.Add(DefaultLeeway)) || (claims.Nbf != nil && time.Time(*claims.Nbf).After(now.Add(DefaultLeeway))) {
		return nil, invalid(ErrTokenNotYetValid, "iat or nbf after %s", now.UTC().Format(time.RFC3339))
	}
	clientID := claims.ClientID
	if clientID == "" {
		clientID = c.opts.AppID
	}
	sub := claims.Sub
	if sub == "" {
		sub = clientID // a client's own token, as introspection answers it
	}
	return &Introspection{Active: true, Sub: sub, ClientID: clientID, Exp: exp.Unix(), Iat: iat.Unix(),
		Iss: claims.Iss, JTI: claims.JTI, Scope: claims.Scope, TokenType: "Bearer", Raw: jws.payload}, nil
}

// accessTokenError is an access token refusal: it matches
// ErrInvalidAccessToken and the reason, not ErrInvalidIDToken.
type accessTokenError struct{ err error }

func (e *accessTokenError) Error() string {
	return strings.Replace(e.err.Error(), ErrInvalidIDToken.Error(), ErrInvalidAccessToken.Error(), 1)
}

func (e *accessTokenError) Is(target error) bool {
	return target == ErrInvalidAccessToken || (target != ErrInvalidIDToken && errors.Is(e.err, target))
}
