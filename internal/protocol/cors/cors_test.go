package cors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
)

type lister struct {
	apps []*model.Application
	err  error
}

func (l lister) ListApplications(context.Context) ([]*model.Application, error) {
	return l.apps, l.err
}

var (
	spa   = &model.Application{ID: "spa", RedirectURIs: []string{"https://spa.example/cb"}}
	other = &model.Application{ID: "other", RedirectURIs: []string{"https://other.example/cb"},
		WebOrigins: []string{"https://other-web.example"}}
)

func request(method, origin string, header ...string) *http.Request {
	r := httptest.NewRequest(method, "/oidc/token", nil)
	if origin != "" {
		r.Header.Set("Origin", origin)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return r
}

func TestPublic(t *testing.T) {
	h := Public(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "doc") }))
	for _, tc := range []struct {
		method string
		status int
		body   string
	}{{http.MethodGet, 200, "doc"}, {http.MethodOptions, 204, ""}} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request(tc.method, "https://any.example", "Access-Control-Request-Method", "GET",
			"Access-Control-Request-Headers", "x-requested-with"))
		if w.Code != tc.status || w.Body.String() != tc.body || w.Header().Get("Access-Control-Allow-Origin") != "*" ||
			w.Header().Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s: %d %q %v; want %d, %q, * without credentials", tc.method, w.Code, w.Body, w.Header(), tc.status, tc.body)
		}
	}
}

func TestPreflight(t *testing.T) {
	c := &Clients{Apps: lister{apps: []*model.Application{spa, other}}, Logger: slog.New(slog.DiscardHandler)}
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("a preflight reached the endpoint") })
	h := c.Handler("GET, POST", next)
	for _, tc := range []struct {
		name, origin, method, headers string
		allowed                       bool
		wantHeaders                   string
	}{
		{"callback origin", "https://spa.example", "POST", "Content-Type", true, "Content-Type"},
		{"listed web origin", "https://other-web.example", "GET", "authorization, x-authing-app-id", true, "authorization,x-authing-app-id"},
		{"origin replaced by the web origins", "https://other.example", "POST", "", false, ""},
		{"unknown origin", "https://evil.example", "POST", "", false, ""},
		{"method not accepted", "https://spa.example", "DELETE", "", false, ""},
		{"malformed header names", "https://spa.example", "POST", "x-a, bad header", true, ""},
		{"origin of another case", "https://SPA.example", "POST", "", false, ""},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request(http.MethodOptions, tc.origin, "Access-Control-Request-Method", tc.method,
			"Access-Control-Request-Headers", tc.headers))
		got := w.Header()
		if tc.allowed != (w.Code == http.StatusNoContent) || tc.allowed != (got.Get("Access-Control-Allow-Origin") == tc.origin) {
			t.Errorf("%s: %d %v; want allowed %v", tc.name, w.Code, got, tc.allowed)
		}
		if !tc.allowed && w.Code != http.StatusForbidden {
			t.Errorf("%s: status %d; want 403", tc.name, w.Code)
		}
		if tc.allowed && (got.Get("Access-Control-Allow-Methods") != "GET, POST" || got.Get("Access-Control-Allow-Headers") != tc.wantHeaders ||
			got.Get("Access-Control-Max-Age") == "") {
			t.Errorf("%s: %v; want methods GET, POST, headers %q and a max age", tc.name, got, tc.wantHeaders)
		}
		if got.Get("Access-Control-Allow-Credentials") != "" || got.Values("Vary")[0] != "Origin" {
			t.Errorf("%s: %v; want no credentials, Vary: Origin", tc.name, got)
		}
	}

	// A store failure refuses (and is logged), never a 5xx.
	failing := &Clients{Apps: lister{err: errors.New("down")}, Logger: slog.New(slog.DiscardHandler)}
	w := httptest.NewRecorder()
	failing.Handler("POST", next).ServeHTTP(w, request(http.MethodOptions, "https://spa.example", "Access-Control-Request-Method", "POST"))
	if w.Code != http.StatusForbidden || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight with the store down: %d %v; want 403 without an allowed origin", w.Code, w.Header())
	}
	// An unavailable database is temporary: 503 with Retry-After.
	unavailable := &Clients{Apps: lister{err: fmt.Errorf("list: %w", model.ErrUnavailable)}, Logger: slog.New(slog.DiscardHandler)}
	w = httptest.NewRecorder()
	unavailable.Handler("POST", next).ServeHTTP(w, request(http.MethodOptions, "https://spa.example", "Access-Control-Request-Method", "POST"))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight with the database unavailable: %d %v; want 503 with Retry-After, no allowed origin", w.Code, w.Header())
	}
}

// TestActualRequests checks the answer to a request itself: the
// application it belongs to decides; without one (an error before the
// client is known), any application listing the origin does.
func TestActualRequests(t *testing.T) {
	c := &Clients{Apps: lister{apps: []*model.Application{spa, other}}, Logger: slog.New(slog.DiscardHandler)}
	for _, tc := range []struct {
		name, origin string
		endpoint     func(r *http.Request)
		want         string
	}{
		{"the client lists the origin", "https://spa.example", func(r *http.Request) { Allow(r.Context(), spa) }, "https://spa.example"},
		{"another application lists it", "https://other-web.example", func(r *http.Request) { Allow(r.Context(), spa) }, ""},
		{"only the first decision counts", "https://other-web.example", func(r *http.Request) {
			Allow(r.Context(), spa)
			Allow(r.Context(), other)
			Unattributed(r.Context())
		}, ""},
		{"an error for no known client", "https://other-web.example", func(r *http.Request) { Unattributed(r.Context()) }, "https://other-web.example"},
		{"an error for no known client, unknown origin", "https://evil.example", func(r *http.Request) { Unattributed(r.Context()) }, ""},
		{"no decision", "https://spa.example", func(*http.Request) {}, ""},
		{"no origin", "", func(r *http.Request) { Allow(r.Context(), spa); Unattributed(r.Context()) }, ""},
	} {
		h := c.Handler("POST", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tc.endpoint(r)
			w.WriteHeader(http.StatusOK)
		}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request(http.MethodPost, tc.origin))
		got := w.Header()
		if got.Get("Access-Control-Allow-Origin") != tc.want || got.Get("Vary") != "Origin" || got.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s: %v; want Access-Control-Allow-Origin %q, Vary: Origin, no credentials", tc.name, got, tc.want)
		}
		if tc.want != "" && got.Get("Access-Control-Expose-Headers") != "WWW-Authenticate" {
			t.Errorf("%s: WWW-Authenticate is not exposed", tc.name)
		}
	}
	// Outside a guarded endpoint, Allow and Unattributed do nothing.
	Allow(context.Background(), spa)
	Unattributed(context.Background())
}
