package authentication

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of the JWKS cache.
const (
	// DefaultMaxKeySetAge caps how long a fetched JWKS is used, whatever its
	// Cache-Control says. GenAuth publishes a key long before it signs, so
	// an hour-old key set still holds every key in use.
	DefaultMaxKeySetAge = time.Hour
	// DefaultRefetchInterval is the least time between two JWKS fetches. An
	// id token with an unknown kid triggers a refetch (the server may have
	// rotated), but a flood of such tokens costs at most one fetch per
	// interval.
	DefaultRefetchInterval = 10 * time.Second
	// defaultKeySetAge applies when the JWKS answer has no max-age.
	defaultKeySetAge = 5 * time.Minute
)

// RSA moduli outside these bounds are refused: smaller ones are weak, larger
// ones make every verification slow.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// jwk is one JSON Web Key (RFC 7517), with the members RSA and P-256 keys use.
type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// publicJWK is a parsed verification key.
type publicJWK struct {
	kid string
	alg string // the JWK's alg; empty when it did not say
	kty string // "RSA" or "EC"
	key crypto.PublicKey
}

// parseJWKS returns the signature keys of a JWK Set that this package can
// use. Keys of another kty, curve or use, and malformed keys, are skipped so
// that one odd key does not stop the others from working.
func parseJWKS(body []byte) ([]publicJWK, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("decoding JWKS: %w", err)
	}
	var out []publicJWK
	for _, raw := range set.Keys {
		var k jwk
		if json.Unmarshal(raw, &k) != nil || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if pub, err := k.publicKey(); err == nil {
			out = append(out, publicJWK{kid: k.Kid, alg: k.Alg, kty: k.Kty, key: pub})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("JWKS has no usable RSA or P-256 signature key")
	}
	return out, nil
}

// publicKey decodes an RSA (n, e) or EC P-256 (x, y) key.
func (k *jwk) publicKey() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		n, err := decodeSegment(k.N)
		if err != nil {
			return nil, fmt.Errorf("n: %w", err)
		}
		e, err := decodeSegment(k.E)
		if err != nil {
			return nil, fmt.Errorf("e: %w", err)
		}
		mod := new(big.Int).SetBytes(n)
		if bits := mod.BitLen(); bits < minRSABits || bits > maxRSABits {
			return nil, fmt.Errorf("RSA modulus of %d bits", bits)
		}
		if len(e) > 4 {
			return nil, errors.New("RSA exponent too large")
		}
		exp := int(new(big.Int).SetBytes(e).Int64())
		if exp < 3 || exp%2 == 0 {
			return nil, fmt.Errorf("RSA exponent %d", exp)
		}
		return &rsa.PublicKey{N: mod, E: exp}, nil
	case "EC":
		if k.Crv != "P-256" {
			return nil, fmt.Errorf("curve %q", k.Crv)
		}
		x, err := decodeSegment(k.X)
		if err != nil {
			return nil, fmt.Errorf("x: %w", err)
		}
		y, err := decodeSegment(k.Y)
		if err != nil {
			return nil, fmt.Errorf("y: %w", err)
		}
		// RFC 7518 section 6.2.1.2: coordinates are the full 32 bytes.
		if len(x) != 32 || len(y) != 32 {
			return nil, errors.New("P-256 coordinates must be 32 bytes")
		}
		point := append(append([]byte{4}, x...), y...)
		return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point) // checks the point is on the curve
	}
	return nil, fmt.Errorf("kty %q", k.Kty)
}

// ktyFor is the key type each supported algorithm needs.
var ktyFor = map[string]string{AlgRS256: "RSA", AlgES256: "EC"}

// errNoSuchKid means the key set has no key with the kid: maybe a rotation
// the cached set has not seen yet.
var errNoSuchKid = errors.New("no key with this kid")

// pick finds the key for a token's kid and (already pinned) alg. A kid
// whose key is for another algorithm is refused, not retried: the JWK's alg
// and kty bind the key to one algorithm.
func pick(keys []publicJWK, kid, alg string) (crypto.PublicKey, error) {
	if kid == "" {
		// OpenID Connect Core 10.1: kid may be left out only when one key fits.
		var fit []publicJWK
		for _, k := range keys {
			if k.kty == ktyFor[alg] && (k.alg == "" || k.alg == alg) {
				fit = append(fit, k)
			}
		}
		if len(fit) != 1 {
			return nil, invalid(ErrUnknownKey, "no kid, and %d keys fit %s", len(fit), alg)
		}
		return fit[0].key, nil
	}
	found := false
	for _, k := range keys {
		if k.kid != kid {
			continue
		}
		found = true
		if k.kty == ktyFor[alg] && (k.alg == "" || k.alg == alg) {
			return k.key, nil
		}
	}
	if found {
		return nil, invalid(ErrWrongAlgorithm, "key %q is not a %s key", kid, alg)
	}
	return nil, errNoSuchKid
}

// keySet fetches and caches a JWKS. The JWKS URL is fixed or read once from
// the issuer's discovery document.
type keySet struct {
	client      *http.Client
	now         func() time.Time
	issuer      string
	maxAge      time.Duration
	minInterval time.Duration

	sem chan struct{} // held while fetching: one fetch at a time

	mu      sync.Mutex
	jwksURL string
	keys    []publicJWK
	expires time.Time // keys are used until then
	fetched time.Time // when the last fetch attempt finished
	err     error     // its error, nil when it succeeded
	gen     uint64    // counts finished fetch attempts
}

type keySetState struct {
	keys    []publicJWK
	expires time.Time
	fetched time.Time
	err     error
	gen     uint64
}

func (s *keySet) state() keySetState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return keySetState{keys: s.keys, expires: s.expires, fetched: s.fetched, err: s.err, gen: s.gen}
}

// key returns the verification key for kid and alg, fetching the JWKS when
// the cached one has expired or lacks kid (a rotation), at most once per
// minInterval. Errors that are not about the token (network, server) are
// returned as they are, without ErrInvalidIDToken.
func (s *keySet) key(ctx context.Context, kid, alg string) (crypto.PublicKey, error) {
	st := s.state()
	now := s.now()
	recent := st.gen > 0 && now.Sub(st.fetched) < s.minInterval
	if now.Before(st.expires) {
		k, err := pick(st.keys, kid, alg)
		if !errors.Is(err, errNoSuchKid) {
			return k, err
		}
		if recent {
			return nil, invalid(ErrUnknownKey, "kid %q is not in the JWKS, which was fetched moments ago", kid)
		}
	} else if recent && st.err != nil {
		return nil, st.err // the server just failed: do not hammer it
	}
	if err := s.refresh(ctx, st.gen); err != nil {
		return nil, err
	}
	st = s.state()
	if !s.now().Before(st.expires) {
		if st.err != nil {
			return nil, st.err
		}
		return nil, errors.New("authentication: the JWKS expired as it arrived")
	}
	k, err := pick(st.keys, kid, alg)
	if errors.Is(err, errNoSuchKid) {
		if st.err != nil {
			return nil, st.err // the refetch, ours or a concurrent caller's, failed
		}
		return nil, invalid(ErrUnknownKey, "kid %q is not in the JWKS, even after refetching it", kid)
	}
	return k, err
}

// refresh fetches the JWKS unless another fetch finished since the caller
// looked (generation gen); concurrent callers share one fetch.
func (s *keySet) refresh(ctx context.Context, gen uint64) error {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.sem }()
	if s.state().gen != gen {
		return nil
	}
	keys, ttl, err := s.fetch(ctx)
	if err != nil && ctx.Err() != nil {
		return err // the caller gave up: not the server's failure, so not recorded
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	s.fetched, s.err = now, err
	if err == nil {
		s.keys, s.expires = keys, now.Add(ttl)
	}
	return err
}

// fetch reads the JWKS (finding its URL through discovery the first time)
// and how long it may be used.
func (s *keySet) fetch(ctx context.Context) ([]publicJWK, time.Duration, error) {
	s.mu.Lock()
	jwksURL := s.jwksURL
	s.mu.Unlock()
	if jwksURL == "" {
		u, err := s.discover(ctx)
		if err != nil {
			return nil, 0, err
		}
		s.mu.Lock()
		s.jwksURL = u
		s.mu.Unlock()
		jwksURL = u
	}
	body, hdr, err := s.get(ctx, jwksURL)
	if err != nil {
		return nil, 0, err
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return nil, 0, fmt.Errorf("authentication: %s: %w", jwksURL, err)
	}
	return keys, s.lifetime(hdr.Get("Cache-Control")), nil
}

// discover reads jwks_uri from the issuer's OpenID Connect discovery
// document, whose issuer must be the expected one (Discovery 1.0 section 4.3).
func (s *keySet) discover(ctx context.Context) (string, error) {
	where := s.issuer + "/.well-known/openid-configuration"
	body, _, err := s.get(ctx, where)
	if err != nil {
		return "", err
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("authentication: decoding %s: %w", where, err)
	}
	if doc.Issuer != s.issuer {
		return "", fmt.Errorf("authentication: %s names issuer %q, want %q", where, doc.Issuer, s.issuer)
	}
	if u, err := url.Parse(doc.JWKSURI); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("authentication: %s has no usable jwks_uri (%q)", where, doc.JWKSURI)
	}
	return doc.JWKSURI, nil
}

// get fetches a JSON document; a non-2xx answer is an *Error.
func (s *keySet) get(ctx context.Context, target string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("authentication: building request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("authentication: GET %s: %w", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, nil, fmt.Errorf("authentication: reading %s: %w", target, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, newError(resp.StatusCode, body)
	}
	return body, resp.Header, nil
}

// lifetime reads max-age from Cache-Control, bounded below by the refetch
// interval (so no-store cannot cause a fetch per token) and above by maxAge.
func (s *keySet) lifetime(cacheControl string) time.Duration {
	ttl := defaultKeySetAge
	for _, d := range strings.Split(cacheControl, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return s.minInterval
		case "max-age":
			if secs, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64); err == nil && secs >= 0 {
				ttl = time.Duration(min(secs, int64(s.maxAge/time.Second)+1)) * time.Second
			}
		}
	}
	return min(max(ttl, s.minInterval), s.maxAge)
}
