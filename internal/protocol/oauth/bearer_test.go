package oauth_test

import (
	"net/http"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
)

// TestBearerChallenge checks userinfo's WWW-Authenticate (RFC 6750 section
// 3.1): a request without a token, or with another scheme, lacks
// authentication and gets no error code; a bad token gets invalid_token.
func TestBearerChallenge(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	refresh := e.tokens(t, c, "oauth").RefreshToken
	for _, prefix := range prefixes {
		me := e.url(prefix, "/me")
		for _, tc := range []struct {
			name      string
			req       request
			challenge string
		}{
			{"no token", request{method: http.MethodGet, url: me}, `Bearer realm="genauth"`},
			{"no token, POST", request{method: http.MethodPost, url: me, contentType: formType}, `Bearer realm="genauth"`},
			{"Basic scheme", request{method: http.MethodGet, url: me, header: map[string]string{"Authorization": "Basic YTpi"}}, `Bearer realm="genauth"`},
			{"unknown token", request{method: http.MethodGet, url: me, header: map[string]string{"Authorization": "Bearer nope"}},
				`Bearer realm="genauth", error="invalid_token"`},
			{"unknown bare token", request{method: http.MethodGet, url: me, header: map[string]string{"Authorization": "nope"}},
				`Bearer realm="genauth", error="invalid_token"`},
			{"refresh token", request{method: http.MethodGet, url: me + "?access_token=" + refresh},
				`Bearer realm="genauth", error="invalid_token"`},
		} {
			r := do(t, tc.req)
			// The body stays RFC 6749 JSON: GenAuth's SDKs read the error from it.
			wantError(t, r, http.StatusUnauthorized, "invalid_token")
			if got := r.header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("%s %s: WWW-Authenticate %q; want %q", prefix, tc.name, got, tc.challenge)
			}
		}
	}
}
