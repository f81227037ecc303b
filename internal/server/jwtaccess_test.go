package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestJWTAccessTokensEndAtOnce signs in through the authentication API for
// a JWT access token and ends it each way GenAuth ends tokens: from then on
// introspection, userinfo and get-profile refuse it, although its signature
// still verifies offline (which is why lifetimes must stay short).
func TestJWTAccessTokensEndAtOnce(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) {
			srv := b.Start(t)
			app, secret := srv.CreateApp(t, apps.CreateParams{Name: "spa", RedirectURIs: []string{"https://rp.example/cb"},
				AccessTokenFormat: model.AccessTokenJWT})
			user := srv.CreateUser(t, "alice", "correct horse battery")
			signIn := func(t *testing.T) (access, refresh string) {
				t.Helper()
				body := `{"connection":"PASSWORD","passwordPayload":{"username":"alice","password":"correct horse battery"},` +
					`"options":{"scope":"openid profile offline_access"},"client_id":"` + app.ID + `","client_secret":"` + secret + `"}`
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v3/signin", strings.NewReader(body))
				req.Header.Set("x-authing-app-id", app.ID)
				req.Header.Set("Content-Type", "application/json")
				var out struct {
					StatusCode int `json:"statusCode"`
					Data       struct {
						AccessToken  string `json:"access_token"`
						RefreshToken string `json:"refresh_token"`
					} `json:"data"`
				}
				doJSON(t, req, &out)
				if out.StatusCode != 200 || strings.Count(out.Data.AccessToken, ".") != 2 || out.Data.RefreshToken == "" {
					t.Fatalf("signin: %+v; want a JWT access token and a refresh token", out)
				}
				return out.Data.AccessToken, out.Data.RefreshToken
			}
			creds := url.Values{"client_id": {app.ID}, "client_secret": {secret}}
			form := func(path string, v url.Values) *http.Request {
				for k, vs := range creds {
					v[k] = vs
				}
				req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return req
			}
			// accepted reports what introspection, userinfo and get-profile say of access.
			accepted := func(t *testing.T, access string) (introspected bool, userinfo, profile int) {
				t.Helper()
				var in struct{ Active bool }
				doJSON(t, form("/oidc/token/introspection", url.Values{"token": {access}}), &in)
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/oidc/me", nil)
				req.Header.Set("Authorization", "Bearer "+access)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				req, _ = http.NewRequest(http.MethodGet, srv.URL+"/api/v3/get-profile", nil)
				req.Header.Set("x-authing-app-id", app.ID)
				req.Header.Set("Authorization", access) // raw, as the Node and Python SDKs send it
				var p struct{ StatusCode int }
				doJSON(t, req, &p)
				return in.Active, resp.StatusCode, p.StatusCode
			}
			verifiesOffline := func(t *testing.T, access string) bool {
				t.Helper()
				var set jose.JSONWebKeySet
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/"+app.ID+"/oidc/.well-known/jwks.json", nil)
				doJSON(t, req, &set)
				tok, err := jwt.ParseSigned(access, []jose.SignatureAlgorithm{jose.RS256})
				if err != nil {
					t.Fatal(err)
				}
				var c jwt.Claims
				return tok.Claims(&set, &c) == nil && c.Validate(jwt.Expected{Issuer: srv.URL + "/oidc",
					Subject: user.ID, AnyAudience: jwt.Audience{app.ID}, Time: srv.Clock.Now()}) == nil
			}

			for _, tc := range []struct {
				name string
				end  func(t *testing.T, access, refresh string)
			}{
				{"revoked", func(t *testing.T, access, _ string) {
					doJSON(t, form("/oidc/token/revocation", url.Values{"token": {access}}), new(bool))
				}},
				{"refresh token revoked", func(t *testing.T, _, refresh string) {
					doJSON(t, form("/oidc/token/revocation", url.Values{"token": {refresh}}), new(bool))
				}},
				{"kicked from the app", func(t *testing.T, _, _ string) {
					if err := srv.Users.Kick(t.Context(), user.ID, []string{app.ID}); err != nil {
						t.Fatal(err)
					}
				}},
				{"logged out everywhere", func(t *testing.T, _, _ string) {
					if err := srv.Users.Kick(t.Context(), user.ID, nil); err != nil {
						t.Fatal(err)
					}
				}},
				{"consent withdrawn", func(t *testing.T, _, _ string) {
					if _, err := srv.Store.WithdrawConsent(t.Context(), user.ID, app.ID, srv.Clock.Now()); err != nil {
						t.Fatal(err)
					}
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					access, refresh := signIn(t)
					if active, info, profile := accepted(t, access); !active || info != http.StatusOK || profile != 200 {
						t.Fatalf("before: introspection active %v, userinfo %d, get-profile %d; want true, 200, 200", active, info, profile)
					}
					tc.end(t, access, refresh)
					if active, info, profile := accepted(t, access); active || info != http.StatusUnauthorized || profile != 401 {
						t.Errorf("after: introspection active %v, userinfo %d, get-profile %d; want false, 401, 401", active, info, profile)
					}
					if !verifiesOffline(t, access) {
						t.Error("the ended token no longer verifies offline; offline checks cannot see revocation, so it should")
					}
				})
			}
		})
	}
}

func doJSON(t *testing.T, req *http.Request, v any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s %s: %d: %v", req.Method, req.URL.Path, resp.StatusCode, err)
	}
}
