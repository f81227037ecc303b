package authentication_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/authentication"
)

// introspector is a fake introspection endpoint with per-token answers.
type introspector struct {
	mu      sync.Mutex
	answers map[string]string // token -> JSON; missing means inactive
	calls   map[string]int
	status  int
}

func newIntrospector(t *testing.T) (*introspector, *authentication.Client) {
	t.Helper()
	in := &introspector{answers: map[string]string{}, calls: map[string]int{}, status: http.StatusOK}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth/token/introspection" {
			t.Errorf("unexpected request to %s", r.URL.Path)
		}
		tok := r.PostFormValue("token")
		in.mu.Lock()
		defer in.mu.Unlock()
		in.calls[tok]++
		w.WriteHeader(in.status)
		if in.status != http.StatusOK {
			io.WriteString(w, `{"error":"invalid_client"}`)
			return
		}
		ans, ok := in.answers[tok]
		if !ok {
			ans = `{"active":false}`
		}
		io.WriteString(w, ans)
	}))
	t.Cleanup(srv.Close)
	return in, newClient(t, srv.URL, nil)
}

func (in *introspector) set(tok string, exp time.Time) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.answers[tok] = fmt.Sprintf(`{"active":true,"sub":"user-%s","client_id":%q,"exp":%d,"scope":"user","token_type":"Bearer"}`, tok, appID, exp.Unix())
}

func (in *introspector) revoke(tok string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	delete(in.answers, tok)
}

func (in *introspector) setStatus(code int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.status = code
}

func (in *introspector) count(tok string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.calls[tok]
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// echoSub answers with the sub the middleware put in the context.
var echoSub = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	in, ok := authentication.IntrospectionFromContext(r.Context())
	if !ok {
		http.Error(w, "no introspection in context", http.StatusInternalServerError)
		return
	}
	io.WriteString(w, in.Sub)
})

func serve(h http.Handler, authz string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/api", nil)
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestRequireTokenResponses(t *testing.T) {
	in, c := newIntrospector(t)
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	in.set("good", clk.Now().Add(time.Hour))
	h := c.RequireToken(echoSub, authentication.WithClock(clk.Now))
	const invalid = `Bearer error="invalid_token", error_description="the access token is invalid, expired or revoked"`
	tests := []struct {
		name, authz   string
		status        int
		wwwAuth, body string
	}{
		{"active", "Bearer good", 200, "", "user-good"},
		{"scheme is case-insensitive", "bearer good", 200, "", "user-good"},
		{"no header", "", 401, "Bearer", ""},
		{"basic scheme", "Basic Zm9vOmJhcg==", 401, "Bearer", ""},
		{"inactive", "Bearer unknown", 401, invalid, ""},
		{"empty token", "Bearer ", 401, invalid, ""},
		{"token with space", "Bearer a b", 401, invalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.authz)
			if w.Code != tt.status || w.Header().Get("WWW-Authenticate") != tt.wwwAuth {
				t.Fatalf("got %d, WWW-Authenticate %q; want %d, %q", w.Code, w.Header().Get("WWW-Authenticate"), tt.status, tt.wwwAuth)
			}
			if tt.status == 200 && w.Body.String() != tt.body {
				t.Errorf("body = %q, want %q", w.Body.String(), tt.body)
			}
		})
	}
	if n := in.count("a b") + in.count(""); n != 0 {
		t.Errorf("malformed tokens reached the server %d times", n)
	}
}

func TestRequireTokenCacheTTL(t *testing.T) {
	in, c := newIntrospector(t)
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	in.set("tok", clk.Now().Add(time.Hour))
	h := c.RequireToken(echoSub, authentication.WithClock(clk.Now), authentication.WithCacheTTL(30*time.Second))

	if w := serve(h, "Bearer tok"); w.Code != 200 {
		t.Fatalf("first request: %d", w.Code)
	}
	// Revoked at the server: still accepted from the cache within the bound...
	in.revoke("tok")
	clk.Advance(29 * time.Second)
	if w := serve(h, "Bearer tok"); w.Code != 200 || in.count("tok") != 1 {
		t.Fatalf("within the TTL: %d after %d introspections; want 200 from the cache", w.Code, in.count("tok"))
	}
	// ...and refused once the bound has passed.
	clk.Advance(time.Second)
	if w := serve(h, "Bearer tok"); w.Code != 401 || in.count("tok") != 2 {
		t.Fatalf("after the TTL: %d after %d introspections; want 401 after a fresh one", w.Code, in.count("tok"))
	}
	// The inactive answer is cached as well.
	serve(h, "Bearer tok")
	if in.count("tok") != 2 {
		t.Errorf("inactive answer not cached: %d introspections", in.count("tok"))
	}
}

func TestRequireTokenCacheNeverOutlivesExp(t *testing.T) {
	in, c := newIntrospector(t)
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	in.set("tok", clk.Now().Add(10*time.Second))
	in.set("expired", clk.Now().Add(-time.Second)) // server and resource server clocks disagree
	h := c.RequireToken(echoSub, authentication.WithClock(clk.Now), authentication.WithCacheTTL(time.Minute))

	serve(h, "Bearer tok")
	clk.Advance(9 * time.Second)
	serve(h, "Bearer tok")
	if in.count("tok") != 1 {
		t.Fatalf("before exp: %d introspections, want 1", in.count("tok"))
	}
	clk.Advance(time.Second)
	serve(h, "Bearer tok")
	if in.count("tok") != 2 {
		t.Fatalf("at exp: %d introspections, want a fresh one (2)", in.count("tok"))
	}

	serve(h, "Bearer expired")
	serve(h, "Bearer expired")
	if in.count("expired") != 2 {
		t.Errorf("an answer already past exp was cached: %d introspections, want 2", in.count("expired"))
	}
}

func TestRequireTokenCacheSize(t *testing.T) {
	in, c := newIntrospector(t)
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	for _, tok := range []string{"a", "b", "c"} {
		in.set(tok, clk.Now().Add(time.Hour))
	}
	h := c.RequireToken(echoSub, authentication.WithClock(clk.Now), authentication.WithCacheSize(2))
	for _, tok := range []string{"a", "b", "a", "c"} { // c evicts b, the least recently used
		serve(h, "Bearer "+tok)
	}
	serve(h, "Bearer a")
	serve(h, "Bearer b")
	got := [3]int{in.count("a"), in.count("b"), in.count("c")}
	if want := [3]int{1, 2, 1}; got != want {
		t.Fatalf("introspections of a, b, c = %v, want %v", got, want)
	}
}

func TestRequireTokenCacheDisabled(t *testing.T) {
	in, c := newIntrospector(t)
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	in.set("tok", clk.Now().Add(time.Hour))
	h := c.RequireToken(echoSub, authentication.WithClock(clk.Now), authentication.WithCacheTTL(0))
	serve(h, "Bearer tok")
	serve(h, "Bearer tok")
	if in.count("tok") != 2 {
		t.Fatalf("%d introspections with the cache off, want 2", in.count("tok"))
	}
}

func TestRequireTokenIntrospectionFailure(t *testing.T) {
	in, c := newIntrospector(t)
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	in.set("tok", clk.Now().Add(time.Hour))
	in.setStatus(http.StatusUnauthorized)

	h := c.RequireToken(echoSub, authentication.WithClock(clk.Now))
	if w := serve(h, "Bearer tok"); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("introspection failure answered %d, want 503", w.Code)
	}

	var seen error
	h = c.RequireToken(echoSub, authentication.WithClock(clk.Now),
		authentication.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
			seen = err
			w.WriteHeader(http.StatusBadGateway)
		}))
	if w := serve(h, "Bearer tok"); w.Code != http.StatusBadGateway {
		t.Fatalf("custom error handler not used: %d", w.Code)
	}
	var e *authentication.Error
	if !errors.As(seen, &e) || e.Code != "invalid_client" {
		t.Fatalf("error handler got %v, want the *Error", seen)
	}
	// Failures are not cached: once the server recovers the token works.
	in.setStatus(http.StatusOK)
	if w := serve(h, "Bearer tok"); w.Code != 200 || in.count("tok") != 3 {
		t.Fatalf("after recovery: %d after %d introspections", w.Code, in.count("tok"))
	}
}

func TestRequireTokenContextIsACopy(t *testing.T) {
	in, c := newIntrospector(t)
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	in.set("tok", clk.Now().Add(time.Hour))
	mutate := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := authentication.IntrospectionFromContext(r.Context())
		io.WriteString(w, got.Sub)
		got.Sub = "tampered"
	})
	h := c.RequireToken(mutate, authentication.WithClock(clk.Now))
	serve(h, "Bearer tok")
	if w := serve(h, "Bearer tok"); w.Body.String() != "user-tok" {
		t.Fatalf("second request saw sub %q; a handler changed the cached answer", w.Body.String())
	}
	if _, ok := authentication.IntrospectionFromContext(context.Background()); ok {
		t.Error("IntrospectionFromContext found a value in an empty context")
	}
}
