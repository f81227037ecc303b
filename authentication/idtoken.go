package authentication

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// DefaultLeeway is the clock skew tolerated when checking exp, iat and nbf.
const DefaultLeeway = time.Minute

// ErrInvalidIDToken is matched (with errors.Is) by every error that says the
// id token itself is unacceptable. Each such error also matches one of the
// more specific errors below. An error that does not match it means the
// token could not be checked (the JWKS could not be fetched, the context
// ended): retrying later may help, and the token is neither good nor bad.
var ErrInvalidIDToken = errors.New("authentication: invalid id token")

// Reasons an id token is refused. Each comes wrapped together with
// ErrInvalidIDToken and a detail.
var (
	// ErrMalformedToken: not a compact JWS of three base64url segments
	// with JSON header and claims, larger than MaxIDTokenLen, or missing a
	// required claim.
	ErrMalformedToken = errors.New("malformed token")
	// ErrWrongAlgorithm: the header's alg is not the pinned algorithm (this
	// covers "none" and HMAC), or the key named by kid is for another one.
	ErrWrongAlgorithm = errors.New("signing algorithm not allowed")
	// ErrUnknownKey: no key in the issuer's JWKS has the token's kid, even
	// after refetching it.
	ErrUnknownKey = errors.New("unknown signing key")
	// ErrBadSignature: the signature does not verify with the issuer's key.
	ErrBadSignature = errors.New("bad signature")
	// ErrWrongIssuer: iss is not the expected issuer.
	ErrWrongIssuer = errors.New("wrong issuer")
	// ErrWrongAudience: aud does not contain the client id, or azp names
	// another client.
	ErrWrongAudience = errors.New("wrong audience")
	// ErrTokenExpired: exp has passed (beyond the leeway).
	ErrTokenExpired = errors.New("token expired")
	// ErrTokenNotYetValid: iat or nbf is in the future (beyond the leeway).
	ErrTokenNotYetValid = errors.New("token not yet valid")
	// ErrNonceMismatch: nonce is not the one given with WithNonce.
	ErrNonceMismatch = errors.New("nonce mismatch")
	// ErrAccessTokenHashMismatch: at_hash is missing or does not match the
	// access token given with WithAccessToken.
	ErrAccessTokenHashMismatch = errors.New("at_hash does not match the access token")
)

// invalid wraps a refusal: errors.Is matches both ErrInvalidIDToken and reason.
func invalid(reason error, format string, args ...any) error {
	return fmt.Errorf("%w: %w: %s", ErrInvalidIDToken, reason, fmt.Sprintf(format, args...))
}

// IDToken is a verified id token.
type IDToken struct {
	// Issuer is iss, the expected issuer such as https://example.genauth.ai/oidc.
	Issuer string
	// Subject is sub, the user's id.
	Subject string
	// Audience is aud; it contains the client id.
	Audience []string
	// AuthorizedParty is azp, empty when absent.
	AuthorizedParty string
	// Expiry is exp and IssuedAt is iat.
	Expiry   time.Time
	IssuedAt time.Time
	// NotBefore is nbf, zero when absent (GenAuth does not set it).
	NotBefore time.Time
	// AuthTime is auth_time, when the user last signed in; zero when absent.
	AuthTime time.Time
	// AMR is amr, how the user signed in (RFC 8176: "pwd", "otp", "mfa",
	// ...); nil when absent. "mfa" says a second factor was proven.
	AMR []string
	// ACR is acr, how strongly the user was authenticated:
	// "urn:genauth:loa:1" (one factor), "urn:genauth:loa:2" (two) or "phr"
	// (a passkey); empty when absent. Asking acr_values does not guarantee
	// it: check it.
	ACR string
	// Nonce is nonce, empty when absent.
	Nonce string
	// SessionID is sid, the server session the token belongs to; empty when absent.
	SessionID string
	// AccessTokenHash is at_hash, empty when absent.
	AccessTokenHash string
	// Algorithm and KeyID are the header's alg and kid.
	Algorithm string
	KeyID     string
	// User holds the user claims the granted scopes released (nil fields
	// were not released); User.Raw is the whole claim set.
	User UserInfo
	// Claims is the claim set as signed, for claims not modelled here.
	Claims json.RawMessage
}

// Claim decodes the claim name into v and reports whether it was present
// and not null.
func (t *IDToken) Claim(name string, v any) (bool, error) { return t.User.Claim(name, v) }

// VerifyOption adds a check to one verification.
type VerifyOption func(*verifyParams)

type verifyParams struct {
	nonce       *string
	accessToken *string
	leeway      time.Duration
}

// WithNonce requires the token's nonce to equal nonce: the value sent in
// the authorize request (AuthorizeParams.Nonce), kept for example in the
// user's login session. A token without a nonce counts as having the empty
// one, so WithNonce("") accepts only tokens without a nonce; a lost session
// therefore fails closed.
func WithNonce(nonce string) VerifyOption {
	return func(p *verifyParams) { p.nonce = &nonce }
}

// WithAccessToken requires the token's at_hash to be that of accessToken,
// binding the id token to the access token it came with (OpenID Connect
// Core 3.1.3.8 and 3.2.2.9); a token without at_hash fails. GenAuth sets
// at_hash whenever it issues both.
func WithAccessToken(accessToken string) VerifyOption {
	return func(p *verifyParams) { p.accessToken = &accessToken }
}

// WithLeeway sets the clock skew tolerated on exp, iat and nbf (default
// DefaultLeeway); a negative d counts as 0.
func WithLeeway(d time.Duration) VerifyOption {
	return func(p *verifyParams) { p.leeway = max(d, 0) }
}

// GenerateNonce returns a random nonce (128 bits from crypto/rand,
// base64url) for AuthorizeParams.Nonce; keep it to check the id token with
// WithNonce.
func GenerateNonce() (string, error) { return GenerateState() }

// VerifierConfig configures an IDTokenVerifier.
type VerifierConfig struct {
	// Issuer is the expected iss, such as https://example.genauth.ai/oidc
	// (AppHost + "/oidc" for GenAuth). Required.
	Issuer string
	// ClientID is the application's id, which aud must contain. Required.
	ClientID string
	// Algorithm is the one algorithm accepted: the application's id token
	// signing algorithm, AlgRS256 (the default) or AlgES256.
	Algorithm string
	// JWKSURL is where the keys are; empty means the jwks_uri of the
	// issuer's discovery document (Issuer + "/.well-known/openid-configuration").
	JWKSURL string
	// HTTPClient fetches discovery and the JWKS; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock for token times and the JWKS cache; nil means time.Now.
	Now func() time.Time
	// MaxKeySetAge caps how long a JWKS is used (default DefaultMaxKeySetAge);
	// within the cap the answer's Cache-Control max-age decides.
	MaxKeySetAge time.Duration
	// RefetchInterval is the least time between two JWKS fetches (default
	// DefaultRefetchInterval).
	RefetchInterval time.Duration
}

// IDTokenVerifier checks id tokens issued to one client by one issuer. It
// caches the issuer's keys and is safe for concurrent use; keep one per
// application rather than one per token.
type IDTokenVerifier struct {
	issuer   string
	clientID string
	alg      string
	now      func() time.Time
	keys     *keySet
}

// NewIDTokenVerifier validates cfg and returns a verifier. It does no I/O:
// the keys are fetched on first use.
func NewIDTokenVerifier(cfg VerifierConfig) (*IDTokenVerifier, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("authentication: VerifierConfig.Issuer and VerifierConfig.ClientID are required")
	}
	if u, err := url.Parse(cfg.Issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("authentication: VerifierConfig.Issuer %q is not an http or https URL", cfg.Issuer)
	}
	alg, err := checkAlg(cfg.Algorithm)
	if err != nil {
		return nil, err
	}
	if cfg.JWKSURL != "" {
		if u, err := url.Parse(cfg.JWKSURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("authentication: VerifierConfig.JWKSURL %q is not an http or https URL", cfg.JWKSURL)
		}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RefetchInterval <= 0 {
		cfg.RefetchInterval = DefaultRefetchInterval
	}
	if cfg.MaxKeySetAge <= 0 {
		cfg.MaxKeySetAge = DefaultMaxKeySetAge
	}
	return &IDTokenVerifier{
		issuer:   cfg.Issuer,
		clientID: cfg.ClientID,
		alg:      alg,
		now:      cfg.Now,
		keys: &keySet{
			client:      cfg.HTTPClient,
			now:         cfg.Now,
			issuer:      cfg.Issuer,
			jwksURL:     cfg.JWKSURL,
			maxAge:      max(cfg.MaxKeySetAge, cfg.RefetchInterval),
			minInterval: cfg.RefetchInterval,
			sem:         make(chan struct{}, 1),
		},
	}, nil
}

// checkAlg returns alg, or AlgRS256 when it is empty, refusing anything
// this package does not verify.
func checkAlg(alg string) (string, error) {
	switch alg {
	case "":
		return AlgRS256, nil
	case AlgRS256, AlgES256:
		return alg, nil
	}
	return "", fmt.Errorf("authentication: id token algorithm %q is not %q or %q", alg, AlgRS256, AlgES256)
}

// Verify checks rawIDToken and returns its claims. In order: the compact
// JWS shape; the header's alg against the pinned algorithm; the key named by
// kid in the issuer's JWKS (refetched once on an unknown kid); the
// signature; iss; aud contains the client id (and azp, if present or if
// there are several audiences, is the client id); exp, iat and nbf against
// the clock with the leeway; then the checks the options add. A refusal
// matches ErrInvalidIDToken and a specific reason such as ErrTokenExpired.
func (v *IDTokenVerifier) Verify(ctx context.Context, rawIDToken string, opts ...VerifyOption) (*IDToken, error) {
	p := verifyParams{leeway: DefaultLeeway}
	for _, o := range opts {
		o(&p)
	}
	jws, err := parseCompact(rawIDToken)
	if err != nil {
		return nil, err
	}
	// Pinning first: a token naming another algorithm never gets as far as
	// a key lookup, so "none" and HMAC with a public key as secret fail here.
	if jws.header.Alg != v.alg {
		return nil, invalid(ErrWrongAlgorithm, "alg %q, want %q", jws.header.Alg, v.alg)
	}
	key, err := v.keys.key(ctx, jws.header.Kid, v.alg)
	if err != nil {
		return nil, err
	}
	if err := jws.verifySignature(v.alg, key); err != nil {
		return nil, err
	}
	tok, err := parseClaims(jws.payload)
	if err != nil {
		return nil, err
	}
	tok.Algorithm, tok.KeyID = jws.header.Alg, jws.header.Kid
	if err := v.checkClaims(tok, p); err != nil {
		return nil, err
	}
	return tok, nil
}

// checkClaims applies the issuer, audience, time and option checks.
func (v *IDTokenVerifier) checkClaims(tok *IDToken, p verifyParams) error {
	if tok.Issuer != v.issuer {
		return invalid(ErrWrongIssuer, "iss %q, want %q", tok.Issuer, v.issuer)
	}
	if !slices.Contains(tok.Audience, v.clientID) {
		return invalid(ErrWrongAudience, "aud %q does not contain %q", tok.Audience, v.clientID)
	}
	// OpenID Connect Core 3.1.3.7 points 4 and 5.
	if (tok.AuthorizedParty != "" || len(tok.Audience) > 1) && tok.AuthorizedParty != v.clientID {
		return invalid(ErrWrongAudience, "azp %q, want %q", tok.AuthorizedParty, v.clientID)
	}
	now := v.now()
	if !now.Before(tok.Expiry.Add(p.leeway)) {
		return invalid(ErrTokenExpired, "exp %s, now %s", tok.Expiry.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if tok.IssuedAt.After(now.Add(p.leeway)) {
		return invalid(ErrTokenNotYetValid, "iat %s, now %s", tok.IssuedAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if tok.NotBefore.After(now.Add(p.leeway)) {
		return invalid(ErrTokenNotYetValid, "nbf %s, now %s", tok.NotBefore.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if p.nonce != nil && subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(*p.nonce)) != 1 {
		return invalid(ErrNonceMismatch, "the token's nonce is not the one sent")
	}
	if p.accessToken != nil {
		// Both RS256 and ES256 hash with SHA-256: at_hash is its left half.
		sum := sha256.Sum256([]byte(*p.accessToken))
		want := base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
		if subtle.ConstantTimeCompare([]byte(tok.AccessTokenHash), []byte(want)) != 1 {
			return invalid(ErrAccessTokenHashMismatch, "at_hash %q", tok.AccessTokenHash)
		}
	}
	return nil
}

// parseClaims decodes the claim set, requiring the claims every id token
// has: iss, sub, aud, exp, iat.
func parseClaims(payload []byte) (*IDToken, error) {
	var c struct {
		Iss      string       `json:"iss"`
		Sub      string       `json:"sub"`
		Aud      audience     `json:"aud"`
		Azp      string       `json:"azp"`
		Exp      *numericDate `json:"exp"`
		Iat      *numericDate `json:"iat"`
		Nbf      *numericDate `json:"nbf"`
		AuthTime *numericDate `json:"auth_time"`
		AMR      []string     `json:"amr"`
		ACR      string       `json:"acr"`
		Nonce    string       `json:"nonce"`
		Sid      string       `json:"sid"`
		AtHash   string       `json:"at_hash"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, invalid(ErrMalformedToken, "claims: %v", err)
	}
	var missing []string
	for name, absent := range map[string]bool{"iss": c.Iss == "", "sub": c.Sub == "", "aud": len(c.Aud) == 0, "exp": c.Exp == nil, "iat": c.Iat == nil} {
		if absent {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, invalid(ErrMalformedToken, "missing %s", strings.Join(missing, ", "))
	}
	tok := &IDToken{
		Issuer:          c.Iss,
		Subject:         c.Sub,
		Audience:        c.Aud,
		AuthorizedParty: c.Azp,
		Expiry:          time.Time(*c.Exp),
		IssuedAt:        time.Time(*c.Iat),
		Nonce:           c.Nonce,
		SessionID:       c.Sid,
		AMR:             c.AMR,
		ACR:             c.ACR,
		AccessTokenHash: c.AtHash,
		Claims:          append(json.RawMessage(nil), payload...),
	}
	if c.AuthTime != nil {
		tok.AuthTime = time.Time(*c.AuthTime)
	}
	if c.Nbf != nil {
		tok.NotBefore = time.Time(*c.Nbf)
	}
	if err := json.Unmarshal(payload, &tok.User); err != nil {
		return nil, invalid(ErrMalformedToken, "user claims: %v", err)
	}
	return tok, nil
}

// audience is aud: one string or an array of strings (RFC 7519 section 4.1.3).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		if one != "" {
			*a = audience{one}
		}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

// numericDate is a JWT time: seconds since the epoch, possibly fractional.
type numericDate time.Time

// maxNumericDate is the end of year 9999; later values are nonsense.
const maxNumericDate = 253402300799

func (n *numericDate) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("a time claim is not a number: %s", b)
	}
	if f < 0 || f > maxNumericDate {
		return fmt.Errorf("a time claim is out of range: %s", b)
	}
	secs, frac := math.Modf(f)
	*n = numericDate(time.Unix(int64(secs), int64(frac*1e9)).UTC())
	return nil
}

// VerifyIDToken verifies an id token issued to this application, such as
// TokenSet.IDToken: the issuer must be <AppHost>/oidc, the audience AppID,
// the algorithm Options.IDTokenAlg, and the key one from the server's JWKS
// (found through discovery and cached). See IDTokenVerifier.Verify for the
// checks and WithNonce, WithAccessToken and WithLeeway for more.
func (c *Client) VerifyIDToken(ctx context.Context, rawIDToken string, opts ...VerifyOption) (*IDToken, error) {
	return c.verifier.Verify(ctx, rawIDToken, opts...)
}
