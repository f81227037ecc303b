package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestNoResponseCanBeFramed (RFC 9700 section 4.16): every kind of answer
// the real server gives, pages, errors, JSON and assets, forbids framing
// with both headers, checked as literal values.
func TestNoResponseCanBeFramed(t *testing.T) {
	srv := testserver.Start(t)
	browser := testserver.Browser(t)
	for _, tt := range []struct{ method, path string }{
		{http.MethodGet, "/"},
		{http.MethodGet, "/login"},
		{http.MethodGet, "/register"},
		{http.MethodGet, "/oauth/auth?client_id=unknown"},
		{http.MethodPost, "/oauth/token"},
		{http.MethodGet, "/oidc/.well-known/openid-configuration"},
		{http.MethodGet, "/oidc/session/end"},
		{http.MethodGet, "/api/v3/list-users"},
		{http.MethodGet, "/readyz"},
		{http.MethodGet, "/no-such-page"},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("X-Frame-Options"); got != "DENY" {
				t.Errorf("X-Frame-Options = %q, want DENY", got)
			}
			var directives []string
			for _, d := range strings.Split(resp.Header.Get("Content-Security-Policy"), ";") {
				directives = append(directives, strings.TrimSpace(d))
			}
			if !slices.Contains(directives, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy = %q, want the directive frame-ancestors 'none'", resp.Header.Get("Content-Security-Policy"))
			}
		})
	}
}
