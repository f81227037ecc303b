package server

import "net/http"

// pageCSP is the default policy: GenAuth serves no inline script or style and
// loads nothing from elsewhere. Handlers with other needs (form_post) set their own.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers every GenAuth response carries before the
// handler runs, so a handler may still tighten or replace them. hsts adds
// Strict-Transport-Security, for servers whose public URL is https.
func securityHeaders(next http.Handler, hsts bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}
