package authentication

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Defaults of RequireToken's introspection cache.
const (
	// DefaultCacheTTL bounds how long an introspection answer is reused, and
	// so how long a revoked token keeps working at a resource server.
	DefaultCacheTTL = 30 * time.Second
	// DefaultCacheSize bounds how many answers are kept.
	DefaultCacheSize = 10_000
)

// maxTokenLen rejects absurd Authorization headers before they reach the server.
const maxTokenLen = 4096

// RequireTokenOption adjusts RequireToken.
type RequireTokenOption func(*tokenGuard)

// WithCacheTTL sets how long an introspection answer may be reused; d <= 0
// turns the cache off, so every request is introspected. An active answer
// is never reused past the token's exp, whatever d is.
func WithCacheTTL(d time.Duration) RequireTokenOption {
	return func(g *tokenGuard) { g.cache.ttl = d }
}

// WithCacheSize sets how many introspection answers are kept; when full, the
// least recently used one is dropped. n < 1 is treated as 1.
func WithCacheSize(n int) RequireTokenOption {
	return func(g *tokenGuard) { g.cache.max = max(n, 1) }
}

// WithClock sets the clock of the cache; tests inject one instead of sleeping.
func WithClock(now func() time.Time) RequireTokenOption {
	return func(g *tokenGuard) { g.cache.now = now }
}

// WithErrorHandler sets what answers a request whose token could not be
// checked because introspection failed (server unreachable, non-2xx answer,
// wrong client credentials). The default answers 503 Service Unavailable.
// Failures are never cached.
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err error)) RequireTokenOption {
	return func(g *tokenGuard) { g.onError = h }
}

// WithRevocationCheck makes RequireToken also introspect JWT access tokens
// that verified offline (through the cache), so that one revoked, kicked
// out or logged out is refused within the cache TTL instead of working
// until it expires.
func WithRevocationCheck() RequireTokenOption {
	return func(g *tokenGuard) { g.revocation = true }
}

type ctxKey struct{}

// IntrospectionFromContext returns what RequireToken put in the request
// context: the introspection answer, or for a JWT it verified offline the
// same fields read from its claims: the token's sub, client_id, scope and
// expiry.
func IntrospectionFromContext(ctx context.Context) (*Introspection, bool) {
	in, ok := ctx.Value(ctxKey{}).(*Introspection)
	return in, ok
}

// RequireToken returns middleware for a resource server: it passes a request
// on to next only when it carries Authorization: Bearer <token> and the
// token is good, with what is known of it in the request context (see
// IntrospectionFromContext). A JWT access token is verified offline by
// VerifyAccessToken (signature against the JWKS, iss, aud, exp), and with
// WithRevocationCheck also introspected; an opaque one is good when
// IntrospectToken says it is active.
//
// Otherwise it answers 401 with a WWW-Authenticate challenge (RFC 6750):
// plain "Bearer" when the request has no bearer token, and
// Bearer error="invalid_token" when the token is inactive or malformed.
//
// Offline verification cannot see revocation: without WithRevocationCheck
// a revoked JWT works here until it expires. Introspection answers are
// cached by the token's SHA-256 for at most DefaultCacheTTL (see
// WithCacheTTL), never past the token's exp, in a cache of at most
// DefaultCacheSize entries (see WithCacheSize). So a revoked token keeps
// working here for at most the cache TTL.
func (c *Client) RequireToken(next http.Handler, opts ...RequireTokenOption) http.Handler {
	g := &tokenGuard{
		client:  c,
		next:    next,
		onError: unavailable,
		cache: &introspectionCache{
			ttl:     DefaultCacheTTL,
			max:     DefaultCacheSize,
			now:     time.Now,
			entries: map[[sha256.Size]byte]*list.Element{},
			order:   list.New(),
		},
	}
	for _, o := range opts {
		o(g)
	}
	return g
}

type tokenGuard struct {
	client     *Client
	next       http.Handler
	onError    func(http.ResponseWriter, *http.Request, error)
	cache      *introspectionCache
	revocation bool // introspect JWTs too
}

func (g *tokenGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, present := bearerToken(r)
	if !present {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeJSONError(w, http.StatusUnauthorized, "invalid_request", "a bearer access token is required")
		return
	}
	if tok == "" || len(tok) > maxTokenLen || strings.ContainsAny(tok, " \t") {
		rejectToken(w)
		return
	}
	if IsJWT(tok) {
		in, err := g.client.VerifyAccessToken(r.Context(), tok)
		switch {
		case errors.Is(err, ErrInvalidAccessToken):
			rejectToken(w)
			return
		case err != nil:
			g.onError(w, r, err)
			return
		}
		if !g.revocation {
			g.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, in)))
			return
		}
	}
	key := sha256.Sum256([]byte(tok))
	in, ok := g.cache.get(key)
	if !ok {
		var err error
		in, err = g.client.IntrospectToken(r.Context(), tok)
		if err != nil {
			g.onError(w, r, err)
			return
		}
		g.cache.put(key, in)
	}
	if !in.Active {
		rejectToken(w)
		return
	}
	cp := *in // the cached answer stays unchanged whatever next does
	g.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, &cp)))
}

// bearerToken returns the token of an Authorization: Bearer header; present
// is false when there is no such header.
func bearerToken(r *http.Request) (tok string, present bool) {
	h := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

func rejectToken(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="the access token is invalid, expired or revoked"`)
	writeJSONError(w, http.StatusUnauthorized, "invalid_token", "the access token is invalid, expired or revoked")
}

func unavailable(w http.ResponseWriter, _ *http.Request, _ error) {
	writeJSONError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the access token could not be checked")
}

func writeJSONError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// introspectionCache is a bounded LRU of introspection answers keyed by the
// token's hash, each with its own deadline.
type introspectionCache struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[[sha256.Size]byte]*list.Element
	order   *list.List // of *cacheEntry, least recently used first
}

type cacheEntry struct {
	key   [sha256.Size]byte
	in    *Introspection
	until time.Time
}

func (c *introspectionCache) get(key [sha256.Size]byte) (*Introspection, bool) {
	if c.ttl <= 0 {
		return nil, false
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.until) {
		c.order.Remove(el)
		delete(c.entries, key)
		return nil, false
	}
	c.order.MoveToBack(el)
	return e.in, true
}

func (c *introspectionCache) put(key [sha256.Size]byte, in *Introspection) {
	if c.ttl <= 0 {
		return
	}
	now := c.now()
	until := now.Add(c.ttl)
	if in.Active && in.Exp != 0 {
		if exp := time.Unix(in.Exp, 0); exp.Before(until) {
			until = exp
		}
	}
	if !now.Before(until) {
		return // already past exp by our clock: do not reuse it at all
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.order.Remove(el)
		delete(c.entries, key)
	}
	for len(c.entries) >= c.max {
		oldest := c.order.Front()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*cacheEntry).key)
	}
	c.entries[key] = c.order.PushBack(&cacheEntry{key: key, in: in, until: until})
}
