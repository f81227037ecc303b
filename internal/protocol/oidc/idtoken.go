package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/opengenauth/genauth/internal/model"
)

// IDToken is what goes into one id token.
type IDToken struct {
	Issuer      string
	User        *model.User
	App         *model.Application
	Scope       string
	Nonce       string
	AuthTime    time.Time // zero: omitted
	SessionID   string    // the `sid` claim; empty: omitted
	AccessToken string    // for at_hash; empty: omitted
	Code        string    // for c_hash; empty: omitted
}

// Sign mints the id token with the application's algorithm and the active key.
func (k *Keys) Sign(ctx context.Context, t IDToken) (string, error) {
	alg := t.App.IDTokenAlg
	if alg == "" {
		alg = model.SigningRS256
	}
	key, err := k.active(ctx, alg)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.SignatureAlgorithm(alg),
		Key:       jose.JSONWebKey{Key: key.signer, KeyID: key.id, Algorithm: alg},
	}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("oidc: signer: %w", err)
	}
	now := k.Now().UTC()
	ttl := t.App.IDTokenTTL
	if ttl <= 0 {
		ttl = model.DefaultIDTokenTTL
	}
	claims := Claims{
		{"iss", t.Issuer},
		{"sub", t.User.ID},
		{"aud", t.App.ID},
		{"exp", now.Add(ttl).Unix()},
		{"iat", now.Unix()},
	}
	if !t.AuthTime.IsZero() {
		claims = append(claims, Claim{"auth_time", t.AuthTime.Unix()})
	}
	if t.Nonce != "" {
		claims = append(claims, Claim{"nonce", t.Nonce})
	}
	if t.AccessToken != "" {
		claims = append(claims, Claim{"at_hash", halfHash(t.AccessToken)})
	}
	if t.Code != "" {
		claims = append(claims, Claim{"c_hash", halfHash(t.Code)})
	}
	if t.SessionID != "" {
		claims = append(claims, Claim{"sid", t.SessionID})
	}
	claims = append(claims, UserinfoClaims(t.User, model.ProtocolOIDC, t.Scope, t.App.ClaimsFormat)[1:]...)
	payload, err := claims.MarshalJSON()
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("oidc: signing: %w", err)
	}
	return jws.CompactSerialize()
}

// halfHash is at_hash / c_hash: the left half of SHA-256 (both algorithms
// GenAuth signs with use SHA-256), base64url.
func halfHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// HintClaims are the parts of an id_token_hint that logout uses.
type HintClaims struct {
	Issuer   string           `json:"iss"`
	Subject  string           `json:"sub"`
	Audience jwt.Audience     `json:"aud"`
	SID      string           `json:"sid"`
	Expiry   *jwt.NumericDate `json:"exp"`
}

// ErrBadHint means an id_token_hint was not signed by this server for this issuer.
var ErrBadHint = errors.New("the id_token_hint is not a valid id token from this server")

// VerifyHint checks an id_token_hint's signature against the published keys
// and its issuer. An expired hint is accepted, as RP-initiated logout allows.
func (k *Keys) VerifyHint(ctx context.Context, raw, issuer string) (*HintClaims, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil || len(tok.Headers) != 1 {
		return nil, ErrBadHint
	}
	keys, err := k.published(ctx)
	if err != nil {
		return nil, err
	}
	h := tok.Headers[0]
	i := slices.IndexFunc(keys, func(p publicKey) bool { return p.id == h.KeyID && p.alg == h.Algorithm })
	if i < 0 {
		return nil, ErrBadHint
	}
	var c HintClaims
	if err := tok.Claims(keys[i].key, &c); err != nil {
		return nil, ErrBadHint
	}
	if c.Issuer != issuer || c.Subject == "" || len(c.Audience) == 0 {
		return nil, ErrBadHint
	}
	return &c, nil
}
