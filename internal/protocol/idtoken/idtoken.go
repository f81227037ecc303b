package idtoken

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/opengenauth/genauth/internal/protocol/claims"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/opengenauth/genauth/internal/model"
)

// IDToken is what goes into one id token.
type Token struct {
	Issuer      string
	User        *model.User
	App         *model.Application
	Scope       string
	Nonce       string
	AuthTime    time.Time // zero: omitted
	AMR         []string  // how the user signed in (RFC 8176); empty: omitted
	ACR         string    // how strongly (see ACR); empty: omitted
	SessionID   string    // the `sid` claim; empty: omitted
	AccessToken string    // for at_hash; empty: omitted
	Code        string    // for c_hash; empty: omitted
}

// Sign mints the id token with the application's algorithm and the active key.
func (k *Keys) Sign(ctx context.Context, t Token) (string, error) {
	alg := t.App.IDTokenAlg
	if alg == "" {
		alg = model.SigningRS256
	}
	// An application that just switched to ES256 gets its keys published
	// at once, not at the next reload.
	if alg == model.SigningES256 {
		if _, needs, err := k.load(ctx); err == nil && !needs.ES256 {
			k.invalidate()
		}
	}
	now := k.Now().UTC()
	ttl := t.App.IDTokenTTL
	if ttl <= 0 {
		ttl = model.DefaultIDTokenTTL
	}
	c := claims.Claims{
		{Name: "iss", Value: t.Issuer},
		{Name: "sub", Value: t.User.ID},
		{Name: "aud", Value: t.App.ID},
		{Name: "exp", Value: now.Add(ttl).Unix()},
		{Name: "iat", Value: now.Unix()},
	}
	if !t.AuthTime.IsZero() {
		c = append(c, claims.Claim{Name: "auth_time", Value: t.AuthTime.Unix()})
	}
	if t.ACR != "" {
		c = append(c, claims.Claim{Name: "acr", Value: t.ACR})
	}
	if len(t.AMR) > 0 {
		c = append(c, claims.Claim{Name: "amr", Value: t.AMR})
	}
	if t.Nonce != "" {
		c = append(c, claims.Claim{Name: "nonce", Value: t.Nonce})
	}
	if t.AccessToken != "" {
		c = append(c, claims.Claim{Name: "at_hash", Value: halfHash(t.AccessToken)})
	}
	if t.Code != "" {
		c = append(c, claims.Claim{Name: "c_hash", Value: halfHash(t.Code)})
	}
	if t.SessionID != "" {
		c = append(c, claims.Claim{Name: "sid", Value: t.SessionID})
	}
	c = append(c, claims.Userinfo(t.User, model.ProtocolOIDC, t.Scope, t.App.ClaimsFormat)[1:]...)
	return k.sign(ctx, alg, "JWT", c)
}

// sign serialises c and signs it with alg's active key, the key's id in
// the header as `kid` and typ as `typ`.
func (k *Keys) sign(ctx context.Context, alg, typ string, c claims.Claims) (string, error) {
	key, err := k.active(ctx, alg)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.SignatureAlgorithm(alg),
		Key:       jose.JSONWebKey{Key: key.signer, KeyID: key.id, Algorithm: alg},
	}, (&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		return "", fmt.Errorf("idtoken: signer: %w", err)
	}
	payload, err := c.MarshalJSON()
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("idtoken: signing: %w", err)
	}
	return jws.CompactSerialize()
}

// halfHash is at_hash / c_hash: the left half of SHA-256 (both algorithms
// GenAuth signs with use SHA-256), base64url.
func halfHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// Hint is what logout reads of an id_token_hint.
type Hint struct {
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
func (k *Keys) VerifyHint(ctx context.Context, raw, issuer string) (*Hint, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil || len(tok.Headers) != 1 {
		return nil, ErrBadHint
	}
	keys, err := k.published(ctx, allAlgorithms)
	if err != nil {
		return nil, err
	}
	h := tok.Headers[0]
	i := slices.IndexFunc(keys, func(p publicKey) bool { return p.id == h.KeyID && p.alg == h.Algorithm })
	if i < 0 {
		return nil, ErrBadHint
	}
	var hint Hint
	if err := tok.Claims(keys[i].key, &hint); err != nil {
		return nil, ErrBadHint
	}
	if hint.Issuer != issuer || hint.Subject == "" || len(hint.Audience) == 0 {
		return nil, ErrBadHint
	}
	return &hint, nil
}
