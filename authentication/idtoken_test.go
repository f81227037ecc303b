package authentication_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opengenauth/genauth/authentication"
)

// Unit tests of the id token verifier against a fake issuer whose keys are
// generated here and whose fetches are counted.

const testClientID = "app1"

var b64 = base64.RawURLEncoding

// testKey is a signing key and how it is published.
type testKey struct {
	kid string
	alg string // the JWK's alg member; empty leaves it out
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

// RSA key generation is slow, so the tests share a few keys.
var (
	rsaKeys = sync.OnceValue(func() [3]*rsa.PrivateKey {
		var ks [3]*rsa.PrivateKey
		for i := range ks {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			ks[i] = k
		}
		return ks
	})
	ecKeys = sync.OnceValue(func() [2]*ecdsa.PrivateKey {
		var ks [2]*ecdsa.PrivateKey
		for i := range ks {
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				panic(err)
			}
			ks[i] = k
		}
		return ks
	})
)

func rsaKey(kid string, i int) *testKey {
	return &testKey{kid: kid, alg: authentication.AlgRS256, rsa: rsaKeys()[i]}
}

func ecKey(kid string, i int) *testKey {
	return &testKey{kid: kid, alg: authentication.AlgES256, ec: ecKeys()[i]}
}

// jwk is the key's public JWK.
func (k *testKey) jwk() map[string]any {
	m := map[string]any{"kid": k.kid, "use": "sig"}
	if k.alg != "" {
		m["alg"] = k.alg
	}
	if k.rsa != nil {
		m["kty"] = "RSA"
		m["n"] = b64.EncodeToString(k.rsa.N.Bytes())
		m["e"] = b64.EncodeToString(big.NewInt(int64(k.rsa.E)).Bytes())
	} else {
		m["kty"], m["crv"] = "EC", "P-256"
		m["x"] = b64.EncodeToString(k.ec.X.FillBytes(make([]byte, 32)))
		m["y"] = b64.EncodeToString(k.ec.Y.FillBytes(make([]byte, 32)))
	}
	return m
}

// sign makes a compact JWS of header and claims, signed the way hdr["alg"]
// says (RS256, ES256, HS256 with hmacKey, or anything else with no real
// signature).
func sign(t *testing.T, k *testKey, hdr, claims map[string]any, hmacKey []byte) string {
	t.Helper()
	h, err := json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	sum := sha256.Sum256([]byte(input))
	var sig []byte
	switch hdr["alg"] {
	case "RS256":
		if sig, err = rsa.SignPKCS1v15(nil, k.rsa, crypto.SHA256, sum[:]); err != nil {
			t.Fatal(err)
		}
	case "ES256":
		r, s, err := ecdsa.Sign(rand.Reader, k.ec, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	case "HS256":
		m := hmac.New(sha256.New, hmacKey)
		m.Write([]byte(input))
		sig = m.Sum(nil)
	default:
		sig = []byte("not a signature")
	}
	return input + "." + b64.EncodeToString(sig)
}

// issuer is a fake OpenID Provider: discovery and a JWKS whose keys, status
// and Cache-Control the test sets, counting requests.
type issuer struct {
	srv       *httptest.Server
	discovery atomic.Int32
	jwks      atomic.Int32

	mu           sync.Mutex
	keys         []map[string]any
	cacheControl string
	status       int
	docIssuer    string // discovery's issuer; empty: the real one
}

func newIssuer(t *testing.T, keys ...*testKey) *issuer {
	t.Helper()
	is := &issuer{cacheControl: "public, max-age=900", status: http.StatusOK}
	is.setKeys(keys...)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oidc/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		is.discovery.Add(1)
		is.mu.Lock()
		iss := is.docIssuer
		is.mu.Unlock()
		if iss == "" {
			iss = is.url()
		}
		writeJSON(w, http.StatusOK, map[string]any{"issuer": iss, "jwks_uri": is.url() + "/.well-known/jwks.json"})
	})
	mux.HandleFunc("GET /oidc/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		is.jwks.Add(1)
		is.mu.Lock()
		defer is.mu.Unlock()
		w.Header().Set("Cache-Control", is.cacheControl)
		if is.status != http.StatusOK {
			writeJSON(w, is.status, map[string]string{"error": "server_error"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"keys": is.keys})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (is *issuer) url() string { return is.srv.URL + "/oidc" }

func (is *issuer) setKeys(keys ...*testKey) {
	var jwks []map[string]any
	for _, k := range keys {
		jwks = append(jwks, k.jwk())
	}
	is.setJWKs(jwks...)
}

func (is *issuer) setJWKs(jwks ...map[string]any) {
	is.mu.Lock()
	is.keys = jwks
	is.mu.Unlock()
}

func (is *issuer) set(f func(is *issuer)) {
	is.mu.Lock()
	f(is)
	is.mu.Unlock()
}

// claims are a valid claim set for testClientID at now.
func (is *issuer) claims(now time.Time) map[string]any {
	return map[string]any{
		"iss": is.url(), "sub": "user1", "aud": testClientID,
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "auth_time": now.Add(-time.Minute).Unix(),
		"nonce": "n-0S6", "sid": "sid-1", "at_hash": atHash("access-1"),
		"email": "alice@example.com", "email_verified": true, "updated_at": 1700000000,
	}
}

func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return b64.EncodeToString(sum[:16])
}

// verifier returns a verifier of is's tokens pinned to alg, on clk.
func (is *issuer) verifier(t *testing.T, alg string, clk *clock) *authentication.IDTokenVerifier {
	t.Helper()
	v, err := authentication.NewIDTokenVerifier(authentication.VerifierConfig{
		Issuer: is.url(), ClientID: testClientID, Algorithm: alg, HTTPClient: is.srv.Client(), Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newClock is a clock (the settable one of middleware_test.go) at a fixed date.
func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func hdr(alg, kid string) map[string]any {
	h := map[string]any{"alg": alg, "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	return h
}

func TestVerifyIDTokenAccepts(t *testing.T) {
	clk := newClock()
	rs, es := rsaKey("rs-1", 0), ecKey("es-1", 0)
	is := newIssuer(t, rs, es)
	for _, tc := range []struct {
		name string
		key  *testKey
	}{{"RS256", rs}, {"ES256", es}} {
		t.Run(tc.name, func(t *testing.T) {
			raw := sign(t, tc.key, hdr(tc.name, tc.key.kid), is.claims(clk.Now()), nil)
			tok, err := is.verifier(t, tc.name, clk).Verify(t.Context(), raw,
				authentication.WithNonce("n-0S6"), authentication.WithAccessToken("access-1"))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			now := clk.Now()
			if tok.Issuer != is.url() || tok.Subject != "user1" || len(tok.Audience) != 1 || tok.Audience[0] != testClientID ||
				!tok.Expiry.Equal(now.Add(time.Hour)) || !tok.IssuedAt.Equal(now) || !tok.AuthTime.Equal(now.Add(-time.Minute)) ||
				tok.Nonce != "n-0S6" || tok.SessionID != "sid-1" || tok.Algorithm != tc.name || tok.KeyID != tc.key.kid {
				t.Errorf("token = %+v", tok)
			}
			if tok.User.Sub != "user1" || tok.User.Email == nil || *tok.User.Email != "alice@example.com" ||
				tok.User.EmailVerified == nil || !*tok.User.EmailVerified || tok.User.UpdatedAt == nil || tok.User.UpdatedAt.Unix() != 1700000000 || tok.User.Name != nil {
				t.Errorf("user claims = %+v", tok.User)
			}
			var sid string
			if ok, err := tok.Claim("sid", &sid); !ok || err != nil || sid != "sid-1" {
				t.Errorf("Claim(sid) = %v, %v, %q", ok, err, sid)
			}
		})
	}
}

func TestVerifyIDTokenRejects(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	rs, es := rsaKey("rs-1", 0), ecKey("es-1", 0)
	rs384 := &testKey{kid: "rs-384", alg: "RS384", rsa: rsaKeys()[2]}
	is := newIssuer(t, rs, es, rs384, rsaKey("rs-2", 1))
	pkix, err := x509.MarshalPKIXPublicKey(&rs.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
	jwkBytes, err := json.Marshal(rs.jwk())
	if err != nil {
		t.Fatal(err)
	}
	with := func(change func(c map[string]any)) map[string]any {
		c := is.claims(now)
		change(c)
		return c
	}
	good := sign(t, rs, hdr("RS256", rs.kid), is.claims(now), nil)
	parts := strings.Split(good, ".")
	seg := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b64.EncodeToString(b)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sig[0] ^= 1
	flipped := b64.EncodeToString(sig)
	// DER-encoded ES256 signature, as crypto/ecdsa.SignASN1 makes, instead of R||S.
	esInput := seg(hdr("ES256", es.kid)) + "." + seg(is.claims(now))
	esSum := sha256.Sum256([]byte(esInput))
	der, err := ecdsa.SignASN1(rand.Reader, es.ec, esSum[:])
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		alg  string // pinned; default RS256
		raw  string
		opts []authentication.VerifyOption
		want error
	}{
		{name: "alg none, no signature", raw: seg(hdr("none", "")) + "." + parts[1] + ".", want: authentication.ErrMalformedToken},
		{name: "alg none with a signature", raw: sign(t, nil, hdr("none", rs.kid), is.claims(now), nil), want: authentication.ErrWrongAlgorithm},
		{name: "alg None", raw: sign(t, nil, hdr("None", ""), is.claims(now), nil), want: authentication.ErrWrongAlgorithm},
		{name: "HS256 keyed with the RSA public key PEM", raw: sign(t, nil, hdr("HS256", rs.kid), is.claims(now), pemKey), want: authentication.ErrWrongAlgorithm},
		{name: "HS256 keyed with the RSA public key DER", raw: sign(t, nil, hdr("HS256", rs.kid), is.claims(now), pkix), want: authentication.ErrWrongAlgorithm},
		{name: "HS256 keyed with the RSA JWK", raw: sign(t, nil, hdr("HS256", rs.kid), is.claims(now), jwkBytes), want: authentication.ErrWrongAlgorithm},
		{name: "ES256 token, RS256 pinned", raw: sign(t, es, hdr("ES256", es.kid), is.claims(now), nil), want: authentication.ErrWrongAlgorithm},
		{name: "RS256 token, ES256 pinned", alg: "ES256", raw: good, want: authentication.ErrWrongAlgorithm},
		{name: "RS384 token", raw: sign(t, nil, hdr("RS384", rs384.kid), is.claims(now), nil), want: authentication.ErrWrongAlgorithm},
		{name: "kid of an EC key with alg RS256", raw: sign(t, rs, hdr("RS256", es.kid), is.claims(now), nil), want: authentication.ErrWrongAlgorithm},
		{name: "kid of a key whose JWK says RS384", raw: sign(t, rs384, hdr("RS256", rs384.kid), is.claims(now), nil), want: authentication.ErrWrongAlgorithm},
		{name: "unknown kid", raw: sign(t, rs, hdr("RS256", "nobody"), is.claims(now), nil), want: authentication.ErrUnknownKey},
		{name: "no kid, two RSA keys", raw: sign(t, rs, hdr("RS256", ""), is.claims(now), nil), want: authentication.ErrUnknownKey},
		{name: "signed by another key", raw: sign(t, rsaKey(rs.kid, 1), hdr("RS256", rs.kid), is.claims(now), nil), want: authentication.ErrBadSignature},
		{name: "ES256 signed by another key", alg: "ES256", raw: sign(t, ecKey(es.kid, 1), hdr("ES256", es.kid), is.claims(now), nil), want: authentication.ErrBadSignature},
		{name: "ES256 signature in DER", alg: "ES256", raw: esInput + "." + b64.EncodeToString(der), want: authentication.ErrBadSignature},
		{name: "payload swapped", raw: parts[0] + "." + seg(with(func(c map[string]any) { c["sub"] = "admin" })) + "." + parts[2], want: authentication.ErrBadSignature},
		{name: "signature altered", raw: parts[0] + "." + parts[1] + "." + flipped, want: authentication.ErrBadSignature},
		{name: "wrong issuer", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["iss"] = is.srv.URL + "/oauth" }), nil), want: authentication.ErrWrongIssuer},
		{name: "issuer with trailing slash", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["iss"] = is.url() + "/" }), nil), want: authentication.ErrWrongIssuer},
		{name: "wrong audience", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["aud"] = "app2" }), nil), want: authentication.ErrWrongAudience},
		{name: "audience list without us", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["aud"] = []string{"app2", "app3"} }), nil), want: authentication.ErrWrongAudience},
		{name: "several audiences, no azp", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["aud"] = []string{testClientID, "app2"} }), nil), want: authentication.ErrWrongAudience},
		{name: "azp names another client", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["azp"] = "app2" }), nil), want: authentication.ErrWrongAudience},
		{name: "expired beyond leeway", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["exp"] = now.Add(-authentication.DefaultLeeway).Unix() }), nil), want: authentication.ErrTokenExpired},
		{name: "expiring now, no leeway", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["exp"] = now.Unix() }), nil), opts: []authentication.VerifyOption{authentication.WithLeeway(0)}, want: authentication.ErrTokenExpired},
		{name: "issued in the future", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["iat"] = now.Add(authentication.DefaultLeeway + time.Second).Unix() }), nil), want: authentication.ErrTokenNotYetValid},
		{name: "not before the future", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }), nil), want: authentication.ErrTokenNotYetValid},
		{name: "wrong nonce", raw: good, opts: []authentication.VerifyOption{authentication.WithNonce("other")}, want: authentication.ErrNonceMismatch},
		{name: "nonce expected, none in token", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { delete(c, "nonce") }), nil), opts: []authentication.VerifyOption{authentication.WithNonce("n-0S6")}, want: authentication.ErrNonceMismatch},
		{name: "empty nonce expected, token has one", raw: good, opts: []authentication.VerifyOption{authentication.WithNonce("")}, want: authentication.ErrNonceMismatch},
		{name: "at_hash of another access token", raw: good, opts: []authentication.VerifyOption{authentication.WithAccessToken("access-2")}, want: authentication.ErrAccessTokenHashMismatch},
		{name: "no at_hash", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { delete(c, "at_hash") }), nil), opts: []authentication.VerifyOption{authentication.WithAccessToken("access-1")}, want: authentication.ErrAccessTokenHashMismatch},
		{name: "missing sub", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { delete(c, "sub") }), nil), want: authentication.ErrMalformedToken},
		{name: "missing exp", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { delete(c, "exp") }), nil), want: authentication.ErrMalformedToken},
		{name: "exp a string", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["exp"] = "tomorrow" }), nil), want: authentication.ErrMalformedToken},
		{name: "aud a number", raw: sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["aud"] = 7 }), nil), want: authentication.ErrMalformedToken},
		{name: "claims not an object", raw: sign(t, rs, hdr("RS256", rs.kid), nil, nil), want: authentication.ErrMalformedToken},
		{name: "crit header", raw: sign(t, rs, map[string]any{"alg": "RS256", "kid": rs.kid, "crit": []string{"exp"}, "exp": 1}, is.claims(now), nil), want: authentication.ErrMalformedToken},
		{name: "header not JSON", raw: b64.EncodeToString([]byte("{alg")) + "." + parts[1] + "." + parts[2], want: authentication.ErrMalformedToken},
		{name: "padded base64", raw: parts[0] + "=." + parts[1] + "." + parts[2], want: authentication.ErrMalformedToken},
		{name: "standard base64 alphabet", raw: parts[0] + "." + parts[1] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(parts[2]) + "+", want: authentication.ErrMalformedToken},
		{name: "line break inside", raw: parts[0] + "." + parts[1][:10] + "\n" + parts[1][10:] + "." + parts[2], want: authentication.ErrMalformedToken},
		// "e30" is {}; "e31" decodes to it too unless trailing bits are checked.
		{name: "non-zero trailing bits", raw: "e31." + parts[1] + "." + parts[2], want: authentication.ErrMalformedToken},
		{name: "two segments", raw: parts[0] + "." + parts[1], want: authentication.ErrMalformedToken},
		{name: "four segments", raw: good + "." + parts[2], want: authentication.ErrMalformedToken},
		{name: "five segments (JWE)", raw: parts[0] + ".." + parts[1] + "." + parts[2] + "." + parts[2], want: authentication.ErrMalformedToken},
		{name: "empty", raw: "", want: authentication.ErrMalformedToken},
		{name: "oversized", raw: parts[0] + "." + strings.Repeat("A", authentication.MaxIDTokenLen) + "." + parts[2], want: authentication.ErrMalformedToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alg := tc.alg
			if alg == "" {
				alg = authentication.AlgRS256
			}
			tok, err := is.verifier(t, alg, clk).Verify(t.Context(), tc.raw, tc.opts...)
			if !errors.Is(err, tc.want) || !errors.Is(err, authentication.ErrInvalidIDToken) {
				t.Fatalf("Verify = %+v, %v; want %v and ErrInvalidIDToken", tok, err, tc.want)
			}
			if tok != nil {
				t.Errorf("a refused token came back: %+v", tok)
			}
		})
	}
}

func TestVerifyIDTokenEdgesThatPass(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	rs := rsaKey("rs-1", 0)
	is := newIssuer(t, rs, ecKey("es-1", 0))
	with := func(change func(c map[string]any)) map[string]any {
		c := is.claims(now)
		change(c)
		return c
	}
	for _, tc := range []struct {
		name string
		raw  string
		opts []authentication.VerifyOption
	}{
		{"expired within leeway", sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["exp"] = now.Add(-30 * time.Second).Unix() }), nil), nil},
		{"longer leeway", sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["exp"] = now.Add(-5 * time.Minute).Unix() }), nil), []authentication.VerifyOption{authentication.WithLeeway(10 * time.Minute)}},
		{"iat slightly ahead", sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["iat"] = now.Add(30 * time.Second).Unix() }), nil), nil},
		{"aud list with azp", sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["aud"] = []string{"app2", testClientID}; c["azp"] = testClientID }), nil), nil},
		{"fractional times", sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { c["exp"] = float64(now.Unix()) + 60.5 }), nil), nil},
		{"no kid, one RSA key", sign(t, rs, hdr("RS256", ""), is.claims(now), nil), nil},
		{"no nonce, none expected", sign(t, rs, hdr("RS256", rs.kid), with(func(c map[string]any) { delete(c, "nonce") }), nil), []authentication.VerifyOption{authentication.WithNonce("")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := is.verifier(t, authentication.AlgRS256, clk).Verify(t.Context(), tc.raw, tc.opts...); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

func TestJWKSRefetchOnRotation(t *testing.T) {
	clk := newClock()
	old, next, third := rsaKey("k1", 0), rsaKey("k2", 1), rsaKey("k3", 2)
	is := newIssuer(t, old)
	v := is.verifier(t, authentication.AlgRS256, clk)
	verify := func(k *testKey) error {
		_, err := v.Verify(t.Context(), sign(t, k, hdr("RS256", k.kid), is.claims(clk.Now()), nil))
		return err
	}
	wantFetches := func(step string, discovery, jwks int32) {
		t.Helper()
		if d, j := is.discovery.Load(), is.jwks.Load(); d != discovery || j != jwks {
			t.Fatalf("%s: %d discovery and %d JWKS fetches; want %d and %d", step, d, j, discovery, jwks)
		}
	}

	if err := verify(old); err != nil {
		t.Fatal(err)
	}
	if err := verify(old); err != nil {
		t.Fatal(err)
	}
	wantFetches("cached", 1, 1)

	// The issuer rotates. Right after a fetch, an unknown kid does not
	// refetch: a flood of made-up kids costs nothing.
	is.setKeys(old, next)
	if err := verify(next); !errors.Is(err, authentication.ErrUnknownKey) {
		t.Fatalf("new kid right after a fetch: %v; want ErrUnknownKey", err)
	}
	wantFetches("new kid within the refetch interval", 1, 1)

	clk.Advance(authentication.DefaultRefetchInterval)
	if err := verify(next); err != nil {
		t.Fatalf("new kid after the interval: %v", err)
	}
	if err := verify(old); err != nil {
		t.Fatalf("old kid still published: %v", err)
	}
	wantFetches("refetched once on the new kid", 1, 2)

	// A kid the issuer never published: one refetch per interval, then refused.
	clk.Advance(authentication.DefaultRefetchInterval)
	for range 3 {
		if err := verify(third); !errors.Is(err, authentication.ErrUnknownKey) {
			t.Fatalf("unpublished kid: %v; want ErrUnknownKey", err)
		}
	}
	wantFetches("unpublished kid", 1, 3)

	// The old key leaves the set; once the cache expires it is refused.
	is.setKeys(next, third)
	clk.Advance(15 * time.Minute) // max-age=900
	if err := verify(old); !errors.Is(err, authentication.ErrUnknownKey) {
		t.Fatalf("retired kid: %v; want ErrUnknownKey", err)
	}
	wantFetches("cache expired", 1, 4)
	if err := verify(third); err != nil {
		t.Fatal(err)
	}
	wantFetches("third key from the same fetch", 1, 4)
}

func TestJWKSConcurrentUnknownKidFetchesOnce(t *testing.T) {
	clk := newClock()
	first, second := ecKey("e1", 0), ecKey("e2", 1)
	is := newIssuer(t, first)
	v := is.verifier(t, authentication.AlgES256, clk)
	if _, err := v.Verify(t.Context(), sign(t, first, hdr("ES256", first.kid), is.claims(clk.Now()), nil)); err != nil {
		t.Fatal(err)
	}
	is.setKeys(first, second)
	clk.Advance(authentication.DefaultRefetchInterval)
	raw := sign(t, second, hdr("ES256", second.kid), is.claims(clk.Now()), nil)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range cap(errs) {
		wg.Go(func() {
			_, err := v.Verify(context.Background(), raw)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Verify: %v", err)
		}
	}
	if n := is.jwks.Load(); n != 2 {
		t.Errorf("%d JWKS fetches; want 2 (the first and one shared refetch)", n)
	}
}

func TestJWKSCacheLifetime(t *testing.T) {
	for _, tc := range []struct {
		cacheControl string
		stillCached  time.Duration // no refetch this long after the fetch
		refetched    time.Duration // a refetch by then
	}{
		{"public, max-age=60", 59 * time.Second, 60 * time.Second},
		{"max-age=86400", authentication.DefaultMaxKeySetAge - time.Second, authentication.DefaultMaxKeySetAge},
		{"no-store", authentication.DefaultRefetchInterval - time.Second, authentication.DefaultRefetchInterval},
		{"max-age=600, no-store", authentication.DefaultRefetchInterval - time.Second, authentication.DefaultRefetchInterval},
		{"max-age=0", authentication.DefaultRefetchInterval - time.Second, authentication.DefaultRefetchInterval},
		{"", 5*time.Minute - time.Second, 5 * time.Minute},
		{"max-age=bogus", 5*time.Minute - time.Second, 5 * time.Minute},
	} {
		t.Run(tc.cacheControl, func(t *testing.T) {
			clk := newClock()
			k := rsaKey("k1", 0)
			is := newIssuer(t, k)
			is.set(func(is *issuer) { is.cacheControl = tc.cacheControl })
			v := is.verifier(t, authentication.AlgRS256, clk)
			start := clk.Now()
			verifyAt := func(d time.Duration) {
				t.Helper()
				clk.Advance(start.Add(d).Sub(clk.Now()))
				if _, err := v.Verify(t.Context(), sign(t, k, hdr("RS256", k.kid), is.claims(clk.Now()), nil)); err != nil {
					t.Fatal(err)
				}
			}
			verifyAt(0)
			verifyAt(tc.stillCached)
			if n := is.jwks.Load(); n != 1 {
				t.Fatalf("%d fetches after %v; want 1", n, tc.stillCached)
			}
			verifyAt(tc.refetched)
			if n := is.jwks.Load(); n != 2 {
				t.Fatalf("%d fetches after %v; want 2", n, tc.refetched)
			}
		})
	}
}

func TestJWKSFetchFailure(t *testing.T) {
	clk := newClock()
	k := rsaKey("k1", 0)
	is := newIssuer(t, k)
	is.set(func(is *issuer) { is.status = http.StatusInternalServerError })
	v := is.verifier(t, authentication.AlgRS256, clk)
	raw := sign(t, k, hdr("RS256", k.kid), is.claims(clk.Now()), nil)

	_, err := v.Verify(t.Context(), raw)
	var e *authentication.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusInternalServerError || errors.Is(err, authentication.ErrInvalidIDToken) {
		t.Fatalf("JWKS answering 500: %v; want an *Error that is not ErrInvalidIDToken", err)
	}
	// The failure is remembered for the refetch interval: no hammering.
	if _, err := v.Verify(t.Context(), raw); !errors.As(err, &e) {
		t.Fatalf("right after the failure: %v; want the same *Error", err)
	}
	if n := is.jwks.Load(); n != 1 {
		t.Fatalf("%d JWKS fetches; want 1", n)
	}
	is.set(func(is *issuer) { is.status = http.StatusOK })
	clk.Advance(authentication.DefaultRefetchInterval)
	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatalf("after the server recovered: %v", err)
	}
}

func TestJWKSSkipsKeysItCannotUse(t *testing.T) {
	clk := newClock()
	good := rsaKey("good", 0)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	enc := rsaKey("enc", 1).jwk()
	enc["use"] = "enc"
	weak := (&testKey{kid: "weak", rsa: small}).jwk()
	curve := map[string]any{"kty": "EC", "kid": "p384", "crv": "P-384",
		"x": b64.EncodeToString(p384.X.Bytes()), "y": b64.EncodeToString(p384.Y.Bytes())}
	offCurve := ecKey("off", 0).jwk()
	offCurve["y"] = offCurve["x"]
	short := ecKey("short", 0).jwk()
	short["x"] = b64.EncodeToString(ecKeys()[0].X.Bytes()[1:])
	oct := map[string]any{"kty": "oct", "kid": "oct", "k": b64.EncodeToString([]byte("secret"))}
	is := newIssuer(t)
	is.setJWKs(good.jwk(), enc, weak, curve, offCurve, short, oct)
	v := is.verifier(t, authentication.AlgRS256, clk)
	if _, err := v.Verify(t.Context(), sign(t, good, hdr("RS256", good.kid), is.claims(clk.Now()), nil)); err != nil {
		t.Fatalf("the usable key: %v", err)
	}
	for _, tc := range []struct {
		kid string
		key *testKey
	}{{"enc", rsaKey("enc", 1)}, {"weak", &testKey{rsa: small}}} {
		clk.Advance(authentication.DefaultRefetchInterval)
		if _, err := v.Verify(t.Context(), sign(t, tc.key, hdr("RS256", tc.kid), is.claims(clk.Now()), nil)); !errors.Is(err, authentication.ErrUnknownKey) {
			t.Errorf("kid %s: %v; want ErrUnknownKey", tc.kid, err)
		}
	}
	v = is.verifier(t, authentication.AlgES256, clk)
	for _, kid := range []string{"p384", "off", "short"} {
		clk.Advance(authentication.DefaultRefetchInterval)
		if _, err := v.Verify(t.Context(), sign(t, ecKey(kid, 0), hdr("ES256", kid), is.claims(clk.Now()), nil)); !errors.Is(err, authentication.ErrUnknownKey) {
			t.Errorf("kid %s: %v; want ErrUnknownKey", kid, err)
		}
	}
}

func TestDiscovery(t *testing.T) {
	clk := newClock()
	k := rsaKey("k1", 0)
	is := newIssuer(t, k)
	raw := sign(t, k, hdr("RS256", k.kid), is.claims(clk.Now()), nil)

	// A discovery document for another issuer is not trusted for keys.
	is.set(func(is *issuer) { is.docIssuer = "https://evil.example/oidc" })
	_, err := is.verifier(t, authentication.AlgRS256, clk).Verify(t.Context(), raw)
	if err == nil || errors.Is(err, authentication.ErrInvalidIDToken) || !strings.Contains(err.Error(), "evil.example") {
		t.Fatalf("foreign discovery issuer: %v", err)
	}
	if n := is.jwks.Load(); n != 0 {
		t.Fatalf("the JWKS was fetched %d times from a foreign discovery document", n)
	}

	// An explicit JWKSURL skips discovery.
	before := is.discovery.Load()
	v, err := authentication.NewIDTokenVerifier(authentication.VerifierConfig{
		Issuer: is.url(), ClientID: testClientID, JWKSURL: is.url() + "/.well-known/jwks.json", HTTPClient: is.srv.Client(), Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatal(err)
	}
	if n := is.discovery.Load(); n != before {
		t.Errorf("discovery fetched with an explicit JWKSURL")
	}
}

func TestNewIDTokenVerifierConfig(t *testing.T) {
	for name, cfg := range map[string]authentication.VerifierConfig{
		"no issuer":         {ClientID: "a"},
		"no client":         {Issuer: "https://id.example/oidc"},
		"relative issuer":   {Issuer: "/oidc", ClientID: "a"},
		"HS256":             {Issuer: "https://id.example/oidc", ClientID: "a", Algorithm: "HS256"},
		"none":              {Issuer: "https://id.example/oidc", ClientID: "a", Algorithm: "none"},
		"relative JWKS URL": {Issuer: "https://id.example/oidc", ClientID: "a", JWKSURL: "jwks.json"},
	} {
		if _, err := authentication.NewIDTokenVerifier(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := authentication.NewClient(authentication.Options{AppID: "a", AppSecret: "s", AppHost: "https://id.example", IDTokenAlg: "HS256"}); err == nil {
		t.Error("NewClient accepted IDTokenAlg HS256")
	}
}

func TestClientVerifyIDToken(t *testing.T) {
	clk := newClock()
	k := ecKey("es-1", 0)
	is := newIssuer(t, k)
	c, err := authentication.NewClient(authentication.Options{
		AppID: testClientID, AppSecret: "s", AppHost: is.srv.URL, Protocol: authentication.ProtocolOAuth,
		IDTokenAlg: authentication.AlgES256, HTTPClient: is.srv.Client(), Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.VerifyIDToken(t.Context(), sign(t, k, hdr("ES256", k.kid), is.claims(clk.Now()), nil), authentication.WithNonce("n-0S6"))
	if err != nil || tok.Subject != "user1" {
		t.Fatalf("VerifyIDToken = %+v, %v", tok, err)
	}
	clk.Advance(2 * time.Hour)
	if _, err := c.VerifyIDToken(t.Context(), sign(t, k, hdr("ES256", k.kid), is.claims(clk.Now().Add(-2*time.Hour)), nil)); !errors.Is(err, authentication.ErrTokenExpired) {
		t.Fatalf("expired: %v; want ErrTokenExpired", err)
	}
}
