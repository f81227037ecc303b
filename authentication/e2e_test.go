package authentication_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// End-to-end tests: the SDK against the real GenAuth server on loopback.

const (
	e2eCallback = "http://127.0.0.1:1/callback" // never dialled: the browser stops at the redirect
	e2eLogout   = "http://127.0.0.1:1/signed-out"
	e2eUser     = "alice"
	e2ePassword = "correct horse battery"
)

var (
	opaqueToken = regexp.MustCompile(`^[0-9a-f]{40}$`)
	jwtShape    = regexp.MustCompile(`^[\w-]+\.[\w-]+\.[\w-]+$`)
	// accessTokenShape is the access token format of each protocol's default.
	accessTokenShape = map[string]*regexp.Regexp{authentication.ProtocolOAuth: opaqueToken, authentication.ProtocolOIDC: jwtShape}
)

type e2e struct {
	srv    *testserver.Server
	app    *model.Application
	secret string
	user   *model.User
	client *authentication.Client
}

// newE2E starts a server with one user and one application whose three
// endpoints all use method and whose protocol is proto (so its access
// tokens are opaque for oauth and JWTs for oidc, as GenAuth's defaults
// are), and a Client for it speaking proto.
func newE2E(t *testing.T, proto, method string, grants ...string) *e2e {
	t.Helper()
	srv := testserver.Start(t)
	app, secret := srv.CreateApp(t, apps.CreateParams{
		RedirectURIs:            []string{e2eCallback},
		LogoutRedirectURIs:      []string{e2eLogout},
		TokenAuthMethod:         method,
		IntrospectionAuthMethod: method,
		RevocationAuthMethod:    method,
		GrantTypes:              grants,
		DefaultProtocol:         proto,
	})
	opts := authentication.Options{
		AppID: app.ID, AppSecret: secret, AppHost: srv.URL, RedirectURI: e2eCallback, Protocol: proto,
		TokenEndpointAuthMethod: method, IntrospectionEndpointAuthMethod: method, RevocationEndpointAuthMethod: method,
	}
	if method == authentication.AuthNone {
		opts.AppSecret = ""
	}
	c, err := authentication.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &e2e{srv: srv, app: app, secret: secret, user: srv.CreateUser(t, e2eUser, e2ePassword), client: c}
}

// login signs the user in through the hosted form with a fresh browser and
// returns the code of the callback, after checking the state came back.
func (e *e2e) login(t *testing.T, p authentication.AuthorizeParams) string {
	t.Helper()
	code, _ := e.loginWith(t, testserver.Browser(t), p)
	return code
}

func (e *e2e) loginWith(t *testing.T, browser *http.Client, p authentication.AuthorizeParams) (string, *http.Client) {
	t.Helper()
	if p.State == "" {
		p.State = "state-" + t.Name()
	}
	authURL, err := e.client.BuildAuthorizeURL(p)
	if err != nil {
		t.Fatal(err)
	}
	cb := e.srv.Authorize(t, browser, authURL, e2eUser, e2ePassword)
	q := cb.Query()
	if q.Get("error") != "" {
		t.Fatalf("authorize failed: %s: %s", q.Get("error"), q.Get("error_description"))
	}
	if got := q.Get("state"); got != p.State {
		t.Fatalf("state = %q, want %q", got, p.State)
	}
	return q.Get("code"), browser
}

func pkcePair(t *testing.T, method string) (verifier, challenge string) {
	t.Helper()
	verifier, err := authentication.GenerateCodeVerifier()
	if err != nil {
		t.Fatal(err)
	}
	challenge, err = authentication.CodeChallenge(verifier, method)
	if err != nil {
		t.Fatal(err)
	}
	return verifier, challenge
}

func wantError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var e *authentication.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *authentication.Error", err, err)
	}
	if e.StatusCode != status || e.Code != code {
		t.Fatalf("error = %d %q (%s), want %d %q", e.StatusCode, e.Code, e.Description, status, code)
	}
}

// TestE2EEveryMethod runs the whole life of a login on both protocol paths
// under each client auth method: authorize with PKCE, code exchange,
// userinfo, introspection, refresh, revocation.
func TestE2EEveryMethod(t *testing.T) {
	for _, proto := range []string{authentication.ProtocolOAuth, authentication.ProtocolOIDC} {
		for _, method := range []string{authentication.AuthClientSecretPost, authentication.AuthClientSecretBasic, authentication.AuthNone} {
			t.Run(proto+"/"+method, func(t *testing.T) {
				e := newE2E(t, proto, method)
				ctx := context.Background()
				verifier, challenge := pkcePair(t, authentication.ChallengeS256)
				p := authentication.AuthorizeParams{CodeChallenge: challenge, CodeChallengeMethod: authentication.ChallengeS256}
				wantScope := authentication.DefaultOAuthScope
				if proto == authentication.ProtocolOIDC {
					// OIDC issues refresh tokens only for offline_access (OIDC Core section 11).
					// prompt=login replaces the SDK's default prompt=consent for it.
					p.Scope, p.Prompt = "openid profile offline_access", "login"
					wantScope = p.Scope
				}
				code := e.login(t, p)

				ts, err := e.client.GetAccessTokenByCode(ctx, code, authentication.WithCodeVerifier(verifier))
				if err != nil {
					t.Fatalf("GetAccessTokenByCode: %v", err)
				}
				if !accessTokenShape[proto].MatchString(ts.AccessToken) || !opaqueToken.MatchString(ts.RefreshToken) ||
					ts.TokenType != "Bearer" || ts.ExpiresIn <= 0 || ts.Scope != wantScope {
					t.Fatalf("token set = %+v", ts)
				}
				if hasIDToken := jwtShape.MatchString(ts.IDToken); hasIDToken != (proto == authentication.ProtocolOIDC) {
					t.Errorf("id_token = %q on the %s path", ts.IDToken, proto)
				}

				u, err := e.client.GetUserInfoByAccessToken(ctx, ts.AccessToken)
				if err != nil {
					t.Fatalf("GetUserInfoByAccessToken: %v", err)
				}
				if u.Sub != e.user.ID {
					t.Errorf("sub = %q, want %q", u.Sub, e.user.ID)
				}
				if u.Email != nil { // the user has only a username
					t.Errorf("email = %q, want absent", *u.Email)
				}

				in, err := e.client.IntrospectToken(ctx, ts.AccessToken)
				if err != nil {
					t.Fatalf("IntrospectToken: %v", err)
				}
				if !in.Active || in.Sub != e.user.ID || in.ClientID != e.app.ID || in.Iss != e.srv.URL+"/"+proto ||
					in.Scope != wantScope || in.TokenType != "Bearer" || in.Exp <= in.Iat || in.JTI == "" {
					t.Errorf("introspection = %+v", in)
				}

				refreshed, err := e.client.GetNewAccessTokenByRefreshToken(ctx, ts.RefreshToken)
				if err != nil {
					t.Fatalf("GetNewAccessTokenByRefreshToken: %v", err)
				}
				if !accessTokenShape[proto].MatchString(refreshed.AccessToken) || refreshed.AccessToken == ts.AccessToken {
					t.Fatalf("refreshed token set = %+v", refreshed)
				}

				ok, err := e.client.RevokeToken(ctx, refreshed.AccessToken)
				if !ok || err != nil {
					t.Fatalf("RevokeToken = %v, %v", ok, err)
				}
				in, err = e.client.IntrospectToken(ctx, refreshed.AccessToken)
				if err != nil || in.Active {
					t.Fatalf("introspection after revocation = %+v, %v; want inactive", in, err)
				}
				var fields map[string]any
				if err := json.Unmarshal(in.Raw, &fields); err != nil || len(fields) != 1 {
					t.Errorf("inactive introspection body = %s, want only \"active\"", in.Raw)
				}
				_, err = e.client.GetUserInfoByAccessToken(ctx, refreshed.AccessToken)
				wantError(t, err, http.StatusUnauthorized, "invalid_token")
			})
		}
	}
}

func TestE2EPlainPKCEAndRedirectOverride(t *testing.T) {
	e := newE2E(t, authentication.ProtocolOAuth, authentication.AuthNone)
	// The Client's default redirect is wrong; the per-call ones are right.
	c, err := authentication.NewClient(authentication.Options{
		AppID: e.app.ID, AppHost: e.srv.URL, RedirectURI: "http://127.0.0.1:1/not-registered", Protocol: authentication.ProtocolOAuth,
		TokenEndpointAuthMethod: authentication.AuthNone, IntrospectionEndpointAuthMethod: authentication.AuthNone,
		RevocationEndpointAuthMethod: authentication.AuthNone,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.client = c
	verifier, challenge := pkcePair(t, authentication.ChallengePlain)
	code := e.login(t, authentication.AuthorizeParams{RedirectURI: e2eCallback, CodeChallenge: challenge, CodeChallengeMethod: authentication.ChallengePlain})
	ts, err := c.GetAccessTokenByCode(context.Background(), code,
		authentication.WithCodeVerifier(verifier), authentication.WithRedirectURI(e2eCallback))
	if err != nil {
		t.Fatalf("GetAccessTokenByCode: %v", err)
	}
	if !opaqueToken.MatchString(ts.AccessToken) {
		t.Fatalf("token set = %+v", ts)
	}
}

func TestE2EErrors(t *testing.T) {
	ctx := context.Background()
	for _, method := range []string{authentication.AuthClientSecretPost, authentication.AuthClientSecretBasic} {
		t.Run("wrong secret/"+method, func(t *testing.T) {
			e := newE2E(t, authentication.ProtocolOAuth, method)
			code := e.login(t, authentication.AuthorizeParams{})
			wrong, err := authentication.NewClient(authentication.Options{
				AppID: e.app.ID, AppSecret: "0000000000000000ffffffffffffffff", AppHost: e.srv.URL, RedirectURI: e2eCallback,
				Protocol: authentication.ProtocolOAuth, TokenEndpointAuthMethod: method,
				IntrospectionEndpointAuthMethod: method, RevocationEndpointAuthMethod: method,
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = wrong.GetAccessTokenByCode(ctx, code)
			wantError(t, err, http.StatusUnauthorized, "invalid_client")
			_, err = wrong.IntrospectToken(ctx, "0123456789abcdef0123456789abcdef01234567")
			wantError(t, err, http.StatusUnauthorized, "invalid_client")
			ok, err := wrong.RevokeToken(ctx, "0123456789abcdef0123456789abcdef01234567")
			if ok {
				t.Error("RevokeToken with a wrong secret returned true")
			}
			wantError(t, err, http.StatusUnauthorized, "invalid_client")
			// The code survived the failed attempts.
			if _, err := e.client.GetAccessTokenByCode(ctx, code); err != nil {
				t.Fatalf("GetAccessTokenByCode with the right secret: %v", err)
			}
		})
	}

	t.Run("bad and reused code", func(t *testing.T) {
		e := newE2E(t, authentication.ProtocolOIDC, authentication.AuthClientSecretPost)
		_, err := e.client.GetAccessTokenByCode(ctx, "0123456789abcdef0123456789abcdef01234567")
		wantError(t, err, http.StatusBadRequest, "invalid_grant")

		code := e.login(t, authentication.AuthorizeParams{})
		ts, err := e.client.GetAccessTokenByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.client.GetAccessTokenByCode(ctx, code)
		wantError(t, err, http.StatusBadRequest, "invalid_grant")
		// A replayed code revokes what it issued.
		in, err := e.client.IntrospectToken(ctx, ts.AccessToken)
		if err != nil || in.Active {
			t.Fatalf("token of a replayed code: %+v, %v; want inactive", in, err)
		}
	})

	t.Run("PKCE verifier missing or wrong", func(t *testing.T) {
		e := newE2E(t, authentication.ProtocolOAuth, authentication.AuthClientSecretPost)
		_, challenge := pkcePair(t, authentication.ChallengeS256)
		code := e.login(t, authentication.AuthorizeParams{CodeChallenge: challenge, CodeChallengeMethod: authentication.ChallengeS256})
		_, err := e.client.GetAccessTokenByCode(ctx, code)
		wantError(t, err, http.StatusBadRequest, "invalid_grant")
		other, _ := pkcePair(t, authentication.ChallengeS256)
		code = e.login(t, authentication.AuthorizeParams{CodeChallenge: challenge, CodeChallengeMethod: authentication.ChallengeS256})
		_, err = e.client.GetAccessTokenByCode(ctx, code, authentication.WithCodeVerifier(other))
		wantError(t, err, http.StatusBadRequest, "invalid_grant")
	})

	t.Run("revoked and expired tokens", func(t *testing.T) {
		e := newE2E(t, authentication.ProtocolOAuth, authentication.AuthClientSecretBasic)
		ts, err := e.client.GetAccessTokenByCode(ctx, e.login(t, authentication.AuthorizeParams{}))
		if err != nil {
			t.Fatal(err)
		}
		// Revoking the refresh token ends it and the access token issued with it.
		if ok, err := e.client.RevokeToken(ctx, ts.RefreshToken); !ok || err != nil {
			t.Fatalf("RevokeToken = %v, %v", ok, err)
		}
		_, err = e.client.GetNewAccessTokenByRefreshToken(ctx, ts.RefreshToken)
		wantError(t, err, http.StatusBadRequest, "invalid_grant")
		for _, tok := range []string{ts.AccessToken, ts.RefreshToken} {
			if in, err := e.client.IntrospectToken(ctx, tok); err != nil || in.Active {
				t.Errorf("after revoking the refresh token: %+v, %v; want inactive", in, err)
			}
		}
		// Revoking again is still a success (RFC 7009).
		if ok, err := e.client.RevokeToken(ctx, ts.RefreshToken); !ok || err != nil {
			t.Fatalf("second RevokeToken = %v, %v", ok, err)
		}

		ts, err = e.client.GetAccessTokenByCode(ctx, e.login(t, authentication.AuthorizeParams{}))
		if err != nil {
			t.Fatal(err)
		}
		e.srv.Clock.Advance(time.Duration(ts.ExpiresIn) * time.Second)
		if in, err := e.client.IntrospectToken(ctx, ts.AccessToken); err != nil || in.Active {
			t.Errorf("expired access token: %+v, %v; want inactive", in, err)
		}
	})
}

// TestE2EImplicit checks the implicit flow's fragment answer.
func TestE2EImplicit(t *testing.T) {
	e := newE2E(t, authentication.ProtocolOAuth, authentication.AuthClientSecretPost, model.GrantImplicit)
	authURL, err := e.client.BuildAuthorizeURL(authentication.AuthorizeParams{ResponseType: "token", State: "st"})
	if err != nil {
		t.Fatal(err)
	}
	cb := e.srv.Authorize(t, testserver.Browser(t), authURL, e2eUser, e2ePassword)
	frag, err := url.ParseQuery(cb.Fragment)
	if err != nil {
		t.Fatal(err)
	}
	if frag.Get("state") != "st" || frag.Get("token_type") != "Bearer" || !opaqueToken.MatchString(frag.Get("access_token")) {
		t.Fatalf("callback fragment = %q", cb.Fragment)
	}
	in, err := e.client.IntrospectToken(context.Background(), frag.Get("access_token"))
	if err != nil || !in.Active || in.Sub != e.user.ID {
		t.Fatalf("implicit token introspection = %+v, %v", in, err)
	}
}

// TestE2ELogout checks BuildLogoutURL's front-channel logout: back to the
// application, with the browser session ended.
func TestE2ELogout(t *testing.T) {
	e := newE2E(t, authentication.ProtocolOAuth, authentication.AuthClientSecretPost)
	_, browser := e.loginWith(t, testserver.Browser(t), authentication.AuthorizeParams{})
	resp, err := browser.Get(e.client.BuildLogoutURL(authentication.LogoutParams{RedirectURI: e2eLogout}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != e2eLogout {
		t.Fatalf("logout: %d to %q, want 302 to %s", resp.StatusCode, loc, e2eLogout)
	}
	// The session is gone: authorizing again shows the login page.
	authURL, err := e.client.BuildAuthorizeURL(authentication.AuthorizeParams{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc, err := resp.Location(); err != nil || loc.Path != "/login" {
		t.Fatalf("authorize after logout went to %v (%v), want the login page", loc, err)
	}
}

// TestE2ERequireToken runs the middleware against the real introspection
// endpoint, with the server's clock driving the cache.
func TestE2ERequireToken(t *testing.T) {
	e := newE2E(t, authentication.ProtocolOAuth, authentication.AuthClientSecretPost)
	ctx := context.Background()
	ts, err := e.client.GetAccessTokenByCode(ctx, e.login(t, authentication.AuthorizeParams{}))
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(e.client.RequireToken(echoSub, authentication.WithClock(e.srv.Clock.Now)))
	t.Cleanup(api.Close)
	get := func() (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
		req.Header.Set("Authorization", "Bearer "+ts.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(); code != 200 || body != e.user.ID {
		t.Fatalf("active token: %d %q", code, body)
	}
	if _, err := e.client.RevokeToken(ctx, ts.AccessToken); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(); code != 200 {
		t.Fatalf("revoked token within the cache bound: %d, want 200 from the cache", code)
	}
	e.srv.Clock.Advance(authentication.DefaultCacheTTL)
	if code, _ := get(); code != http.StatusUnauthorized {
		t.Fatalf("revoked token after the cache bound: %d, want 401", code)
	}
}

// TestE2EOIDCLogout checks BuildLogoutURL on the OIDC path: RP-initiated
// logout with the id token as hint and a state, and without a hint (the
// server then asks the user, who confirms on its page).
func TestE2EOIDCLogout(t *testing.T) {
	e := newE2E(t, authentication.ProtocolOIDC, authentication.AuthClientSecretPost)
	code, browser := e.loginWith(t, testserver.Browser(t), authentication.AuthorizeParams{})
	ts, err := e.client.GetAccessTokenByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if ts.Scope != authentication.DefaultOIDCScope || !jwtShape.MatchString(ts.IDToken) {
		t.Fatalf("token set = %+v, want the default OIDC scope and an id token", ts)
	}
	tests := []struct {
		name    string
		p       authentication.LogoutParams
		confirm bool
		want    string
	}{
		{"with hint and state", authentication.LogoutParams{RedirectURI: e2eLogout, IDTokenHint: ts.IDToken, State: "bye"}, false, e2eLogout + "?state=bye"},
		{"without hint", authentication.LogoutParams{RedirectURI: e2eLogout}, true, e2eLogout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := browser.Get(e.client.BuildLogoutURL(tt.p))
			if err != nil {
				t.Fatal(err)
			}
			if tt.confirm {
				page, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("logout without a hint: %d, want 200 and the sign-out question", resp.StatusCode)
				}
				action, fields := testserver.HTMLForm(t, string(page))
				req, _ := http.NewRequest(http.MethodPost, e.srv.URL+action, strings.NewReader(fields.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				if resp, err = browser.Do(req); err != nil {
					t.Fatal(err)
				}
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != tt.want {
				t.Fatalf("logout: %d to %q, want 302 to %s", resp.StatusCode, loc, tt.want)
			}
			authURL, err := e.client.BuildAuthorizeURL(authentication.AuthorizeParams{})
			if err != nil {
				t.Fatal(err)
			}
			resp, err = browser.Get(authURL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc, err := resp.Location(); err != nil || loc.Path != "/login" {
				t.Fatalf("authorize after logout went to %v (%v), want the login page", loc, err)
			}
			// Sign in again for the next case.
			e.loginWith(t, browser, authentication.AuthorizeParams{})
		})
	}
}
