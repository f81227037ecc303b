package oidc_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestGoldenClaimsFormats pins the id token and /oidc/me of a user with
// few claims known (alice: username, email, name) in each claim format,
// and checks that /oauth/me keeps GenAuth's shapes for either.
func TestGoldenClaimsFormats(t *testing.T) {
	t.Parallel()
	e := start(t)
	bodies := map[string][]byte{}
	for _, format := range []string{model.ClaimsStandard, model.ClaimsGenAuth} {
		c := e.newApp(t, apps.CreateParams{ClaimsFormat: format})
		e.srv.Clock.Advance(time.Minute)
		tok, _, raw := e.signedIn(t, testserver.Browser(t), c, allScopes, "golden-nonce")
		now := e.srv.Clock.Now()
		s := golden.Scrub{
			Strs: map[string]string{
				e.issuer: "issuer", e.user.ID: "sub", c.app.ID: "client_id", halfHash(tok.AccessToken): "at_hash",
				e.user.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z"): "updated_at",
			},
			Ints: map[int64]string{
				now.Unix():                              "now", // also auth_time: the user signs in at once
				now.Add(model.DefaultIDTokenTTL).Unix(): "now+1h", e.user.UpdatedAt.Unix(): "updated_at",
			},
			Keys: map[string]string{"sid": `[0-9a-f]{32}`},
		}
		claims, _ := payload(t, raw)
		checkGolden(t, "id_token_"+format, claims, s)
		for _, path := range []string{"/oidc/me", "/oauth/me"} {
			req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
			}
			bodies[format+path] = []byte(body)
		}
		checkGolden(t, "userinfo_"+format, bodies[format+"/oidc/me"], s)
	}
	// /oauth/me answers in GenAuth's shapes whatever the application's format.
	for _, format := range []string{model.ClaimsStandard, model.ClaimsGenAuth} {
		if got, want := string(bodies[format+"/oauth/me"]), string(bodies["genauth/oidc/me"]); got != want {
			t.Errorf("/oauth/me for the %s application:\n%s\nwant GenAuth's shapes:\n%s", format, got, want)
		}
	}
}
