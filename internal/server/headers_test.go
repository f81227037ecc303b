package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// strictCSP is written out rather than taken from pageCSP: the test must
// fail when the constant loses frame-ancestors or anything else.
const strictCSP = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"

func TestSecurityHeaders(t *testing.T) {
	for _, tt := range []struct {
		name     string
		hsts     bool
		handler  http.HandlerFunc
		wantCSP  string
		wantHSTS string
	}{
		{"plain http", false, func(w http.ResponseWriter, r *http.Request) {}, strictCSP, ""},
		{"https", true, func(w http.ResponseWriter, r *http.Request) {}, strictCSP, "max-age=63072000; includeSubDomains"},
		{"handler's own policy wins", false, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-x'")
		}, "default-src 'none'; script-src 'nonce-x'", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			securityHeaders(tt.handler, tt.hsts).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			h := rec.Result().Header
			for name, want := range map[string]string{
				"Content-Security-Policy":   tt.wantCSP,
				"Strict-Transport-Security": tt.wantHSTS,
				"Referrer-Policy":           "no-referrer",
				"X-Content-Type-Options":    "nosniff",
				"X-Frame-Options":           "DENY",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q; want %q", name, got, want)
				}
			}
		})
	}
}
