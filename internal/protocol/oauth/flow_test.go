package oauth_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

var defaultScopes = map[string]string{
	model.ProtocolOAuth: "user",
	model.ProtocolOIDC:  "openid profile email phone address",
}

// requestedScopes are what the x/oauth2 clients ask for: the default under
// /oauth; under /oidc the default plus offline_access, without which an
// OpenID Connect grant gets no refresh token.
var requestedScopes = map[string][]string{
	model.ProtocolOIDC: {"openid", "profile", "email", "phone", "address", "offline_access"},
}

// grantedScope is the scope string a flow through config() is granted.
func grantedScope(prefix string) string {
	if s := requestedScopes[prefix]; s != nil {
		return strings.Join(s, " ")
	}
	return defaultScopes[prefix]
}

// TestCodeFlow runs the authorization code flow through the hosted login with
// x/oauth2 for every client auth method, with and without PKCE, under both
// prefixes, for both access token formats.
func TestCodeFlow(t *testing.T) {
	t.Parallel()
	e := start(t)
	methods := []struct {
		method string
		style  oauth2.AuthStyle
	}{
		{model.AuthClientSecretPost, oauth2.AuthStyleInParams},
		{model.AuthClientSecretBasic, oauth2.AuthStyleInHeader},
		{model.AuthNone, oauth2.AuthStyleInParams},
	}
	clients := map[string]client{}
	for _, m := range methods {
		for _, format := range formats {
			clients[m.method+"/"+format] = e.newApp(t, apps.CreateParams{TokenAuthMethod: m.method, AccessTokenFormat: format})
		}
	}
	// Sign in once so the parallel subtests share one browser session.
	e.code(t, e.config(clients[model.AuthClientSecretPost+"/opaque"], "oauth", oauth2.AuthStyleInParams))

	for _, prefix := range prefixes {
		for _, m := range methods {
			for _, pkce := range []string{"none", "S256", "plain"} {
				for _, format := range formats {
					t.Run(prefix+"/"+m.method+"/pkce-"+pkce+"/"+format, func(t *testing.T) {
						t.Parallel()
						c := clients[m.method+"/"+format]
						cfg := e.config(c, prefix, m.style)
						verifier := oauth2.GenerateVerifier()
						var authOpts, exchOpts []oauth2.AuthCodeOption
						switch pkce {
						case "S256":
							authOpts = []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
							exchOpts = []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
						case "plain":
							authOpts = []oauth2.AuthCodeOption{
								oauth2.SetAuthURLParam("code_challenge", verifier),
								oauth2.SetAuthURLParam("code_challenge_method", "plain"),
							}
							exchOpts = []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
						}
						if m.method == model.AuthNone && pkce == "none" {
							q := e.authorize(t, cfg.AuthCodeURL("st-123"))
							if q.Get("error") != "invalid_request" || q.Get("state") != "st-123" || q.Has("code") {
								t.Fatalf("public client without PKCE: callback query %v, want invalid_request with state", q)
							}
							return
						}
						tok, err := cfg.Exchange(t.Context(), e.code(t, cfg, authOpts...), exchOpts...)
						if err != nil {
							t.Fatalf("exchange: %v", err)
						}
						e.checkAccessToken(t, format, prefix, c, tok.AccessToken, e.user.ID, grantedScope(prefix))
						if !opaqueRE.MatchString(tok.RefreshToken) {
							t.Errorf("refresh token %q: want 40 hex characters", tok.RefreshToken)
						}
						if tok.TokenType != "Bearer" {
							t.Errorf("token_type = %q, want Bearer", tok.TokenType)
						}
						if got := tok.Extra("scope"); got != grantedScope(prefix) {
							t.Errorf("scope = %v, want %q", got, grantedScope(prefix))
						}
						if idToken, _ := tok.Extra("id_token").(string); (prefix == model.ProtocolOIDC) != (strings.Count(idToken, ".") == 2) {
							t.Errorf("%s: id_token = %q; want one exactly under /oidc", prefix, idToken)
						}
						if got := tok.Extra("expires_in"); got != float64(model.DefaultAccessTokenTTL/time.Second) {
							t.Errorf("expires_in = %v, want %d", got, model.DefaultAccessTokenTTL/time.Second)
						}

						resp, err := cfg.Client(t.Context(), tok).Get(e.url(prefix, "/me"))
						if err != nil {
							t.Fatal(err)
						}
						var info struct {
							Sub string `json:"sub"`
						}
						err = json.NewDecoder(resp.Body).Decode(&info)
						resp.Body.Close()
						if err != nil || resp.StatusCode != http.StatusOK || info.Sub != e.user.ID {
							t.Errorf("userinfo: status %d sub %q err %v, want 200 and %q", resp.StatusCode, info.Sub, err, e.user.ID)
						}

						m := decode(t, e.introspect(t, c, prefix, tok.AccessToken))
						if m["active"] != true || m["client_id"] != c.id || m["sub"] != e.user.ID || m["iss"] != e.srv.URL+"/"+prefix {
							t.Errorf("introspection = %v", m)
						}
					})
				}
			}
		}
	}
}

func TestImplicitFlow(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{GrantTypes: []string{model.GrantAuthorizationCode, model.GrantImplicit}, AccessTokenFormat: model.AccessTokenOpaque})
	codeOnly := e.newApp(t, apps.CreateParams{})
	for _, prefix := range prefixes {
		v := url.Values{
			"client_id": {c.id}, "redirect_uri": {callback}, "response_type": {"token"},
			"state": {"s/1 2"}, "nonce": {"n"}, "unknown_param": {"ignored"},
		}
		loc := e.srv.Authorize(t, e.browser, e.url(prefix, "/auth?")+v.Encode(), userName, userPassword)
		if loc.RawQuery != "" {
			t.Errorf("%s: implicit redirect has a query %q; tokens belong in the fragment", prefix, loc.RawQuery)
		}
		f, err := url.ParseQuery(loc.Fragment)
		if err != nil {
			t.Fatalf("%s: fragment %q: %v", prefix, loc.Fragment, err)
		}
		if !opaqueRE.MatchString(f.Get("access_token")) || f.Get("token_type") != "Bearer" ||
			f.Get("expires_in") != strconv.Itoa(int(model.DefaultAccessTokenTTL/time.Second)) ||
			f.Get("state") != "s/1 2" || f.Get("scope") != defaultScopes[prefix] {
			t.Errorf("%s: fragment %v", prefix, f)
		}
		if f.Has("refresh_token") || f.Has("code") {
			t.Errorf("%s: implicit flow returned %v; want neither refresh_token nor code", prefix, f)
		}
		if r := e.me(t, prefix, f.Get("access_token")); r.status != http.StatusOK {
			t.Errorf("%s: userinfo with implicit token: %d %s", prefix, r.status, r.body)
		}

		// An application without the implicit grant gets the error in the fragment.
		v.Set("client_id", codeOnly.id)
		loc = e.srv.Authorize(t, e.browser, e.url(prefix, "/auth?")+v.Encode(), userName, userPassword)
		f, _ = url.ParseQuery(loc.Fragment)
		if f.Get("error") != "unauthorized_client" || f.Get("state") != "s/1 2" || f.Has("access_token") {
			t.Errorf("%s: implicit flow for a code-only app: %s", prefix, loc)
		}
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{ClassicRefreshTokens: true, AccessTokenFormat: model.AccessTokenOpaque})
	other := e.newApp(t, apps.CreateParams{})
	cfg := e.config(c, "oauth", oauth2.AuthStyleInParams)
	tok := e.tokens(t, c, "oauth")

	e.srv.Clock.Advance(model.DefaultAccessTokenTTL)
	wantError(t, e.me(t, "oauth", tok.AccessToken), http.StatusUnauthorized, "invalid_token")

	// x/oauth2 judges expiry by the real clock, which has not moved: tell it
	// what the server's clock says.
	tok.Expiry = time.Now().Add(-time.Minute)
	ts := cfg.TokenSource(t.Context(), tok)
	fresh, err := ts.Token()
	if err != nil {
		t.Fatalf("refresh through x/oauth2: %v", err)
	}
	if fresh.AccessToken == tok.AccessToken || !opaqueRE.MatchString(fresh.AccessToken) {
		t.Errorf("refreshed access token %q, want a new 40-hex token", fresh.AccessToken)
	}
	if fresh.RefreshToken != tok.RefreshToken {
		t.Errorf("refresh token changed to %q; a classic application keeps it", fresh.RefreshToken)
	}
	resp, err := oauth2.NewClient(t.Context(), ts).Get(e.url("oauth", "/me"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("userinfo with the refreshed token: %d", resp.StatusCode)
	}

	// A raw refresh, under /oidc, with a narrowed (equal) scope.
	form := c.creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "scope": {"user"}})
	r := post(t, e.url("oidc", "/token"), form, nil)
	if r.status != http.StatusOK {
		t.Fatalf("raw refresh: %d %s", r.status, r.body)
	}
	wantJSONHeaders(t, r)
	m := decode(t, r)
	if m["refresh_token"] != tok.RefreshToken || m["scope"] != "user" || m["token_type"] != "Bearer" {
		t.Errorf("raw refresh = %s", r.body)
	}
	if r := e.me(t, "oidc", m["access_token"].(string)); r.status != http.StatusOK {
		t.Errorf("userinfo with the raw-refreshed token: %d %s", r.status, r.body)
	}

	// Widening the scope, another client's refresh token, an access token as refresh token.
	form.Set("scope", "user email")
	wantError(t, post(t, e.url("oauth", "/token"), form, nil), http.StatusBadRequest, "invalid_scope")
	form.Del("scope")
	wantError(t, post(t, e.url("oauth", "/token"), other.creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}), nil),
		http.StatusBadRequest, "invalid_grant")
	form.Set("refresh_token", fresh.AccessToken)
	wantError(t, post(t, e.url("oauth", "/token"), form, nil), http.StatusBadRequest, "invalid_grant")

	// The refresh token expires 30 days after issue.
	e.srv.Clock.Advance(model.DefaultRefreshTokenTTL - model.DefaultAccessTokenTTL)
	form.Set("refresh_token", tok.RefreshToken)
	wantError(t, post(t, e.url("oauth", "/token"), form, nil), http.StatusBadRequest, "invalid_grant")
}

func TestUserinfo(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	tok := e.tokens(t, c, "oauth").AccessToken
	bearer := map[string]string{"Authorization": "Bearer " + tok}
	for _, prefix := range prefixes {
		me := e.url(prefix, "/me")
		cases := []struct {
			name string
			req  request
		}{
			{"GET header", request{method: http.MethodGet, url: me, header: bearer}},
			{"GET lower-case bearer", request{method: http.MethodGet, url: me, header: map[string]string{"Authorization": "bearer " + tok}}},
			// GenAuth's Node SDK sends the bare token after setAccessToken.
			{"GET bare token", request{method: http.MethodGet, url: me, header: map[string]string{"Authorization": tok}}},
			{"GET query", request{method: http.MethodGet, url: me + "?access_token=" + tok}},
			{"POST form", request{method: http.MethodPost, url: me, contentType: formType, body: "access_token=" + tok}},
			{"POST form charset", request{method: http.MethodPost, url: me, contentType: formType + "; charset=UTF-8", body: "access_token=" + tok}},
			{"POST query", request{method: http.MethodPost, url: me + "?access_token=" + tok}},
			{"POST no body, no content type, header", request{method: http.MethodPost, url: me, header: bearer}},
			{"POST empty form, header", request{method: http.MethodPost, url: me, contentType: formType, header: bearer}},
		}
		var first []byte
		for _, tc := range cases {
			r := do(t, tc.req)
			if r.status != http.StatusOK {
				t.Errorf("%s %s: status %d: %s", prefix, tc.name, r.status, r.body)
				continue
			}
			wantJSONHeaders(t, r)
			if m := decode(t, r); m["sub"] != e.user.ID || m["preferred_username"] != userName {
				t.Errorf("%s %s: %s", prefix, tc.name, r.body)
			}
			if first == nil {
				first = r.body
			} else if string(r.body) != string(first) {
				t.Errorf("%s %s: body %s differs from %s", prefix, tc.name, r.body, first)
			}
		}
	}
	// A token in two places is ambiguous.
	wantError(t, do(t, request{method: http.MethodGet, url: e.url("oauth", "/me?access_token=") + tok, header: bearer}),
		http.StatusBadRequest, "invalid_request")
	wantError(t, do(t, request{method: http.MethodPost, url: e.url("oauth", "/me"), contentType: formType, body: "access_token=" + tok, header: bearer}),
		http.StatusBadRequest, "invalid_request")
	// A refresh token is not an access token.
	wantError(t, e.me(t, "oauth", e.tokens(t, c, "oauth").RefreshToken), http.StatusUnauthorized, "invalid_token")
	r := e.me(t, "oauth", "0123456789abcdef0123456789abcdef01234567")
	wantError(t, r, http.StatusUnauthorized, "invalid_token")
	if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
		t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
	}
}

func TestIntrospection(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	other := e.newApp(t, apps.CreateParams{})
	issuedAt := e.srv.Clock.Now()
	tok := e.tokens(t, c, "oauth")

	for _, prefix := range prefixes {
		for _, tc := range []struct{ name, value, tokenType string }{
			{"access", tok.AccessToken, "Bearer"},
			{"refresh", tok.RefreshToken, "refresh_token"},
		} {
			r := e.introspect(t, c, prefix, tc.value)
			if r.status != http.StatusOK {
				t.Fatalf("%s %s: status %d %s", prefix, tc.name, r.status, r.body)
			}
			wantJSONHeaders(t, r)
			m := decode(t, r)
			ttl := model.DefaultAccessTokenTTL
			if tc.name == "refresh" {
				ttl = model.DefaultRefreshTokenTTL
			}
			want := map[string]any{
				"active":     true,
				"sub":        e.user.ID,
				"client_id":  c.id,
				"exp":        json.Number(strconv.FormatInt(issuedAt.Add(ttl).Unix(), 10)),
				"iat":        json.Number(strconv.FormatInt(issuedAt.Unix(), 10)),
				"iss":        e.srv.URL + "/oauth", // the token's issuer, whichever endpoint is asked
				"scope":      "user",
				"token_type": tc.tokenType,
			}
			jti, _ := m["jti"].(string)
			if jti == "" {
				t.Errorf("%s %s: jti missing or not a string: %s", prefix, tc.name, r.body)
			}
			delete(m, "jti")
			if len(m) != len(want) {
				t.Errorf("%s %s: keys of %s, want %v plus jti", prefix, tc.name, r.body, want)
			}
			for k, v := range want {
				if m[k] != v {
					t.Errorf("%s %s: %s = %#v, want %#v", prefix, tc.name, k, m[k], v)
				}
			}
		}
	}

	// A token issued under /oidc names that issuer at /oauth too.
	oidcToken := e.tokens(t, c, "oidc")
	for _, prefix := range prefixes {
		if iss := decode(t, e.introspect(t, c, prefix, oidcToken.AccessToken))["iss"]; iss != e.srv.URL+"/oidc" {
			t.Errorf("an /oidc token introspected at /%s: iss = %v, want %s/oidc", prefix, iss, e.srv.URL)
		}
	}

	// Inactive: another client's token, unknown, malformed, revoked, expired.
	for _, prefix := range prefixes {
		wantInactive(t, e.introspect(t, other, prefix, tok.AccessToken))
		wantInactive(t, e.introspect(t, other, prefix, tok.RefreshToken))
		wantInactive(t, e.introspect(t, c, prefix, "0000000000000000000000000000000000000000"))
		wantInactive(t, e.introspect(t, c, prefix, "not a token ü"))
		wantInactive(t, e.introspect(t, c, prefix, strings.Repeat("f", 4000)))
	}
	revoked := e.tokens(t, c, "oauth").AccessToken
	if r := e.revoke(t, c, "oauth", revoked); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	wantInactive(t, e.introspect(t, c, "oauth", revoked))
	e.wantActive(t, c, "oauth", tok.AccessToken, true)

	e.srv.Clock.Advance(model.DefaultAccessTokenTTL - time.Second)
	e.wantActive(t, c, "oauth", tok.AccessToken, true)
	e.srv.Clock.Advance(time.Second)
	wantInactive(t, e.introspect(t, c, "oauth", tok.AccessToken))
	e.wantActive(t, c, "oauth", tok.RefreshToken, true)
}

// TestRevocationJSON logs out as GenAuth's iOS and Flutter SDKs do: a JSON
// body {client_id, token} with the access token as a Bearer header, which
// is not client authentication (contract 5.1). A confidential client puts
// its secret in the JSON too.
func TestRevocationJSON(t *testing.T) {
	t.Parallel()
	e := start(t)
	public := e.newApp(t, apps.CreateParams{TokenAuthMethod: model.AuthNone})
	confidential := e.newApp(t, apps.CreateParams{})
	for _, tc := range []struct {
		name string
		c    client
		body func(token string) string
	}{
		{"public client", public, func(tok string) string { return `{"client_id":"` + public.id + `","token":"` + tok + `"}` }},
		{"confidential client", confidential, func(tok string) string {
			return `{"client_id":"` + confidential.id + `","client_secret":"` + confidential.secret + `","token":"` + tok + `","token_type_hint":null}`
		}},
	} {
		for _, prefix := range prefixes {
			access := e.tokens(t, tc.c, prefix).AccessToken
			r := do(t, request{method: http.MethodPost, url: e.url(prefix, "/token/revocation"), contentType: "application/json; charset=utf-8",
				body: tc.body(access), header: map[string]string{"Authorization": "Bearer " + access}})
			if r.status != http.StatusOK || string(r.body) != "true\n" {
				t.Fatalf("%s %s: JSON revocation: %d %s", tc.name, prefix, r.status, r.body)
			}
			wantError(t, e.me(t, prefix, access), http.StatusUnauthorized, "invalid_token")
		}
	}
}

func TestRevocation(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	other := e.newApp(t, apps.CreateParams{})

	wantTrue := func(t *testing.T, r *response) {
		t.Helper()
		if r.status != http.StatusOK || string(r.body) != "true\n" || r.header.Get("Content-Type") != "application/json" {
			t.Fatalf("revocation: status %d, Content-Type %q, body %q; want 200 application/json true",
				r.status, r.header.Get("Content-Type"), r.body)
		}
	}

	for _, prefix := range prefixes {
		// An access token: only it ends; its refresh token lives on.
		tok := e.tokens(t, c, prefix)
		wantTrue(t, e.revoke(t, c, prefix, tok.AccessToken))
		wantInactive(t, e.introspect(t, c, prefix, tok.AccessToken))
		wantError(t, e.me(t, prefix, tok.AccessToken), http.StatusUnauthorized, "invalid_token")
		e.wantActive(t, c, prefix, tok.RefreshToken, true)
		wantTrue(t, e.revoke(t, c, prefix, tok.AccessToken)) // again

		// A refresh token: it and every access token issued from it end.
		refreshed := decode(t, post(t, e.url(prefix, "/token"),
			c.creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}), nil))["access_token"].(string)
		e.wantActive(t, c, prefix, refreshed, true)
		wantTrue(t, e.revoke(t, c, prefix, tok.RefreshToken))
		wantInactive(t, e.introspect(t, c, prefix, tok.RefreshToken))
		wantInactive(t, e.introspect(t, c, prefix, refreshed))
		wantError(t, e.me(t, prefix, refreshed), http.StatusUnauthorized, "invalid_token")
		wantError(t, post(t, e.url(prefix, "/token"),
			c.creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}), nil),
			http.StatusBadRequest, "invalid_grant")

		// Revoking the refresh token also ends the first access token of the code exchange.
		tok = e.tokens(t, c, prefix)
		wantTrue(t, e.revoke(t, c, prefix, tok.RefreshToken))
		wantInactive(t, e.introspect(t, c, prefix, tok.AccessToken))

		// Unknown tokens get 200; another client's live token is refused
		// (RFC 7009 section 2.1) and stays live; another client's token
		// that is no longer valid gets 200, as invalid tokens do.
		wantTrue(t, e.revoke(t, c, prefix, "0000000000000000000000000000000000000000"))
		wantTrue(t, e.revoke(t, c, prefix, "garbage"))
		tok = e.tokens(t, c, prefix)
		for _, v := range []string{tok.AccessToken, tok.RefreshToken} {
			wantError(t, e.revoke(t, other, prefix, v), http.StatusBadRequest, "unauthorized_client")
			e.wantActive(t, c, prefix, v, true)
		}
		wantTrue(t, e.revoke(t, c, prefix, tok.RefreshToken))
		wantTrue(t, e.revoke(t, other, prefix, tok.AccessToken))
		wantTrue(t, e.revoke(t, other, prefix, tok.RefreshToken))
	}
}

// TestCodeReuse: a second redemption fails and ends everything the first issued.
func TestCodeReuse(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	cfg := e.config(c, "oauth", oauth2.AuthStyleInParams)
	code := e.code(t, cfg)
	tok, err := cfg.Exchange(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	refreshed := decode(t, post(t, e.url("oauth", "/token"),
		c.creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}), nil))["access_token"].(string)
	e.wantActive(t, c, "oauth", refreshed, true)

	_, err = cfg.Exchange(t.Context(), code)
	if got := exchangeError(t, err); got != "invalid_grant" {
		t.Fatalf("second exchange: %q, want invalid_grant", got)
	}
	for _, v := range []string{tok.AccessToken, tok.RefreshToken, refreshed} {
		wantInactive(t, e.introspect(t, c, "oauth", v))
	}
	// A third try is still refused.
	wantError(t, post(t, e.url("oauth", "/token"),
		c.creds(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback}}), nil),
		http.StatusBadRequest, "invalid_grant")
}

// TestFailedRedemptionUsesUpCode: a code whose redemption fails (wrong
// client, redirect URI or PKCE verifier) cannot be redeemed after, even
// correctly (RFC 9700 section 4.5); nothing else is revoked.
func TestFailedRedemptionUsesUpCode(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	other := e.newApp(t, apps.CreateParams{})
	cfg := e.config(c, "oauth", oauth2.AuthStyleInParams)
	tokenURL := e.url("oauth", "/token")
	earlier := e.tokens(t, c, "oauth") // another grant of the same user and client
	for _, tc := range []struct {
		name   string
		client client
		change func(url.Values)
		status int
		error  string
	}{
		{"wrong redirect_uri", c, func(f url.Values) { f.Set("redirect_uri", otherCallback) }, http.StatusBadRequest, "invalid_grant"},
		{"missing redirect_uri", c, func(f url.Values) { f.Del("redirect_uri") }, http.StatusBadRequest, "invalid_request"},
		{"wrong verifier", c, func(f url.Values) { f.Set("code_verifier", oauth2.GenerateVerifier()) }, http.StatusBadRequest, "invalid_grant"},
		{"missing verifier", c, func(f url.Values) { f.Del("code_verifier") }, http.StatusBadRequest, "invalid_grant"},
		{"another client", other, func(url.Values) {}, http.StatusBadRequest, "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			verifier := oauth2.GenerateVerifier()
			code := e.code(t, cfg, oauth2.S256ChallengeOption(verifier))
			right := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback}, "code_verifier": {verifier}}
			wrong := tc.client.creds(url.Values{})
			for k, v := range right {
				wrong[k] = v
			}
			tc.change(wrong)
			wantError(t, post(t, tokenURL, wrong, nil), tc.status, tc.error)
			wantError(t, post(t, tokenURL, c.creds(right), nil), http.StatusBadRequest, "invalid_grant")
			e.wantActive(t, c, "oauth", earlier.AccessToken, true)
			e.wantActive(t, c, "oauth", earlier.RefreshToken, true)
		})
	}
	// A syntactically bad request names no code for certain: it uses up nothing.
	verifier := oauth2.GenerateVerifier()
	code := e.code(t, cfg, oauth2.S256ChallengeOption(verifier))
	wantError(t, post(t, tokenURL, c.creds(url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {callback}, "code_verifier": {"short"}}), nil), http.StatusBadRequest, "invalid_request")
	if _, err := cfg.Exchange(t.Context(), code, oauth2.VerifierOption(verifier)); err != nil {
		t.Errorf("redeeming after a malformed request: %v", err)
	}
}

func TestCodeExpiry(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	cfg := e.config(c, "oauth", oauth2.AuthStyleInParams)
	early, late := e.code(t, cfg), e.code(t, cfg)
	e.srv.Clock.Advance(model.AuthCodeTTL - time.Second)
	if _, err := cfg.Exchange(t.Context(), early); err != nil {
		t.Fatalf("exchange after 9m59s: %v", err)
	}
	e.srv.Clock.Advance(time.Second)
	_, err := cfg.Exchange(t.Context(), late)
	if got := exchangeError(t, err); got != "invalid_grant" {
		t.Fatalf("exchange after 10m: %q, want invalid_grant", got)
	}
}

func TestRedirectURIBinding(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	cfg := e.config(c, "oauth", oauth2.AuthStyleInParams)

	mismatch := *cfg
	mismatch.RedirectURL = otherCallback
	_, err := mismatch.Exchange(t.Context(), e.code(t, cfg))
	if got := exchangeError(t, err); got != "invalid_grant" {
		t.Errorf("redirect_uri mismatch: %q, want invalid_grant", got)
	}
	form := c.creds(url.Values{"grant_type": {"authorization_code"}, "code": {e.code(t, cfg)}})
	wantError(t, post(t, e.url("oauth", "/token"), form, nil), http.StatusBadRequest, "invalid_request")
	form.Set("redirect_uri", callback+"/")
	wantError(t, post(t, e.url("oauth", "/token"), form, nil), http.StatusBadRequest, "invalid_grant")

	// A callback with its own query: the code is appended, the match is exact.
	if _, err := mismatch.Exchange(t.Context(), e.code(t, &mismatch)); err != nil {
		t.Errorf("exchange for a callback with a query: %v", err)
	}
}

func TestPKCE(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	cfg := e.config(c, "oauth", oauth2.AuthStyleInParams)
	verifier := oauth2.GenerateVerifier()
	s256 := oauth2.S256ChallengeOption(verifier)
	challenge := oauth2.S256ChallengeFromVerifier(verifier)
	tokenURL := e.url("oauth", "/token")
	exchange := func(code, verifier string) *response {
		form := c.creds(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback}})
		if verifier != "" {
			form.Set("code_verifier", verifier)
		}
		return post(t, tokenURL, form, nil)
	}
	cases := []struct {
		name     string
		auth     []oauth2.AuthCodeOption
		verifier string
		status   int
		error    string
	}{
		{"S256 right verifier", []oauth2.AuthCodeOption{s256}, verifier, http.StatusOK, ""},
		{"S256 wrong verifier", []oauth2.AuthCodeOption{s256}, oauth2.GenerateVerifier(), http.StatusBadRequest, "invalid_grant"},
		{"S256 missing verifier", []oauth2.AuthCodeOption{s256}, "", http.StatusBadRequest, "invalid_grant"},
		{"S256 downgraded to plain (challenge as verifier)", []oauth2.AuthCodeOption{s256}, challenge, http.StatusBadRequest, "invalid_grant"},
		{"S256 malformed verifier", []oauth2.AuthCodeOption{s256}, "short", http.StatusBadRequest, "invalid_request"},
		{"plain by default", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("code_challenge", verifier)}, verifier, http.StatusOK, ""},
		{"plain wrong verifier", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("code_challenge", verifier)}, oauth2.GenerateVerifier(), http.StatusBadRequest, "invalid_grant"},
		{"no challenge but a verifier", nil, verifier, http.StatusBadRequest, "invalid_grant"},
	}
	for _, tc := range cases {
		r := exchange(e.code(t, cfg, tc.auth...), tc.verifier)
		if tc.error == "" {
			if r.status != tc.status {
				t.Errorf("%s: status %d %s", tc.name, r.status, r.body)
			}
			continue
		}
		wantError(t, r, tc.status, tc.error)
	}

	// Bad challenges are refused at authorize, back at the callback.
	for _, opts := range [][]oauth2.AuthCodeOption{
		{oauth2.SetAuthURLParam("code_challenge", "too-short")},
		{oauth2.SetAuthURLParam("code_challenge", challenge), oauth2.SetAuthURLParam("code_challenge_method", "S512")},
		{oauth2.SetAuthURLParam("code_challenge_method", "S256")},
	} {
		if q := e.authorize(t, cfg.AuthCodeURL("st", opts...)); q.Get("error") != "invalid_request" || q.Get("state") != "st" {
			t.Errorf("bad challenge: callback query %v, want invalid_request", q)
		}
	}
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	e := start(t)
	for _, format := range formats {
		m2m := e.newApp(t, apps.CreateParams{GrantTypes: []string{model.GrantClientCredentials}, RedirectURIs: []string{}, AccessTokenFormat: format})
		for _, prefix := range prefixes {
			for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader} {
				cc := clientcredentials.Config{ClientID: m2m.id, ClientSecret: m2m.secret, TokenURL: e.url(prefix, "/token"), AuthStyle: style}
				tok, err := cc.Token(t.Context())
				if err != nil {
					t.Fatalf("%s: client_credentials: %v", prefix, err)
				}
				e.checkAccessToken(t, format, prefix, m2m, tok.AccessToken, "", "")
				if tok.RefreshToken != "" || tok.TokenType != "Bearer" {
					t.Errorf("%s: token %+v, want no refresh token", prefix, tok)
				}
				m := decode(t, e.introspect(t, m2m, prefix, tok.AccessToken))
				if m["active"] != true || m["sub"] != m2m.id || m["client_id"] != m2m.id {
					t.Errorf("%s: introspection %v, want active with sub = client_id", prefix, m)
				}
				wantError(t, e.me(t, prefix, tok.AccessToken), http.StatusUnauthorized, "invalid_token")
			}
		}
		wantError(t, post(t, e.url("oauth", "/token"), url.Values{"grant_type": {"client_credentials"}, "client_id": {m2m.id}, "client_secret": {"wrong"}}, nil),
			http.StatusUnauthorized, "invalid_client")
	}
	webApp := e.newApp(t, apps.CreateParams{})
	wantError(t, post(t, e.url("oauth", "/token"), webApp.creds(url.Values{"grant_type": {"client_credentials"}}), nil),
		http.StatusBadRequest, "unauthorized_client")
}

// TestClientAuthentication uses the refresh grant (no login needed per
// request) to check how credentials are read.
func TestClientAuthentication(t *testing.T) {
	t.Parallel()
	e := start(t)
	// Classic refresh tokens: the same one is presented many times here.
	c := e.newApp(t, apps.CreateParams{TokenAuthMethod: model.AuthClientSecretBasic, ClassicRefreshTokens: true})
	other := e.newApp(t, apps.CreateParams{})
	public := e.newApp(t, apps.CreateParams{TokenAuthMethod: model.AuthNone, ClassicRefreshTokens: true})
	rt := e.tokens(t, c, "oauth").RefreshToken
	publicRT := e.tokens(t, public, "oauth").RefreshToken
	tokenURL := e.url("oauth", "/token")
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	with := func(extra url.Values) url.Values {
		f := url.Values{}
		for k, v := range refresh {
			f[k] = v
		}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	basic := func(id, secret string) map[string]string {
		req, _ := http.NewRequest(http.MethodPost, "/", nil)
		req.SetBasicAuth(id, secret)
		return map[string]string{"Authorization": req.Header.Get("Authorization")}
	}

	t.Run("ok", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			form   url.Values
			header map[string]string
			ct     string
		}{
			{"basic", refresh, basic(c.id, c.secret), ""},
			{"basic form-encoded (RFC 6749 2.3.1)", refresh, basic(url.QueryEscape(c.id), url.QueryEscape(c.secret)), ""},
			{"basic and the same credentials in the body", with(url.Values{"client_id": {c.id}, "client_secret": {c.secret}}), basic(c.id, c.secret), ""},
			{"basic and the same client_id in the body", with(url.Values{"client_id": {c.id}}), basic(c.id, c.secret), ""},
			{"x-authing and x-genauth headers", refresh, map[string]string{
				"Authorization":          basic(c.id, c.secret)["Authorization"],
				"x-authing-sdk-version":  "js:4.23.0",
				"x-authing-app-id":       other.id,
				"x-authing-request-from": "sdk",
				"x-authing-lang":         "zh-CN",
				"x-genauth-sdk-version":  "go:0.1.0",
			}, ""},
			{"charset=UTF-8", refresh, basic(c.id, c.secret), formType + "; charset=UTF-8"},
			{"charset=utf-8, mixed-case type", refresh, basic(c.id, c.secret), "Application/X-WWW-Form-Urlencoded;charset=utf-8"},
			{"public client, no secret", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {publicRT}, "client_id": {public.id}}, nil, ""},
			{"public client, stray client_secret", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {publicRT}, "client_id": {public.id}, "client_secret": {"whatever"}}, nil, ""},
			{"public client, stray Basic header", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {publicRT}}, basic(public.id, "whatever"), ""},
		} {
			ct := tc.ct
			if ct == "" {
				ct = formType
			}
			r := do(t, request{method: http.MethodPost, url: tokenURL, contentType: ct, body: tc.form.Encode(), header: tc.header})
			if r.status != http.StatusOK {
				t.Errorf("%s: status %d %s", tc.name, r.status, r.body)
			}
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct {
			name      string
			form      url.Values
			header    map[string]string
			challenge bool
		}{
			{"basic, wrong secret", refresh, basic(c.id, "wrong"), true},
			{"basic, unknown client", refresh, basic("nobody", c.secret), true},
			{"basic, another client's secret", refresh, basic(c.id, other.secret), true},
			{"basic and a different secret in the body", with(url.Values{"client_id": {c.id}, "client_secret": {"wrong"}}), basic(c.id, c.secret), true},
			{"basic and a different client in the body", with(url.Values{"client_id": {other.id}, "client_secret": {other.secret}}), basic(c.id, c.secret), true},
			{"body, wrong secret", with(url.Values{"client_id": {c.id}, "client_secret": {"wrong"}}), nil, false},
			{"body, no secret", with(url.Values{"client_id": {c.id}}), nil, false},
			{"body, empty secret", with(url.Values{"client_id": {c.id}, "client_secret": {""}}), nil, false},
			{"no credentials", refresh, nil, false},
		} {
			r := post(t, tokenURL, tc.form, tc.header)
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
			if got := r.header.Get("WWW-Authenticate"); tc.challenge != strings.HasPrefix(got, "Basic") {
				t.Errorf("%s: WWW-Authenticate = %q, want a Basic challenge: %v", tc.name, got, tc.challenge)
			}
		}
	})

	t.Run("introspection and revocation with basic", func(t *testing.T) {
		b := e.newApp(t, apps.CreateParams{IntrospectionAuthMethod: model.AuthClientSecretBasic, RevocationAuthMethod: model.AuthClientSecretBasic})
		tok := e.tokens(t, b, "oidc").AccessToken
		r := post(t, e.url("oidc", "/token/introspection"), url.Values{"token": {tok}}, basic(b.id, b.secret))
		if m := decode(t, r); m["active"] != true {
			t.Errorf("introspection with Basic: %s", r.body)
		}
		wantError(t, post(t, e.url("oidc", "/token/introspection"), url.Values{"token": {tok}}, basic(b.id, "wrong")),
			http.StatusUnauthorized, "invalid_client")
		wantError(t, post(t, e.url("oidc", "/token/revocation"), url.Values{"token": {tok}}, basic(b.id, "wrong")),
			http.StatusUnauthorized, "invalid_client")
		if r := post(t, e.url("oidc", "/token/revocation"), url.Values{"token": {tok}}, basic(b.id, b.secret)); string(r.body) != "true\n" {
			t.Errorf("revocation with Basic: %d %s", r.status, r.body)
		}
		e.wantActive(t, b, "oidc", tok, false)
	})
}

func TestAuthorizeErrors(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	authURL := func(prefix string, v url.Values) string { return e.url(prefix, "/auth?") + v.Encode() }
	base := func() url.Values {
		return url.Values{"client_id": {c.id}, "redirect_uri": {callback}, "response_type": {"code"}, "state": {"xyz"}}
	}

	// Never redirected: unknown client, unregistered or missing redirect URI.
	for _, prefix := range prefixes {
		for name, mutate := range map[string]func(url.Values){
			"unknown client":                    func(v url.Values) { v.Set("client_id", "000000000000000000000000") },
			"no client_id":                      func(v url.Values) { v.Del("client_id") },
			"no redirect_uri":                   func(v url.Values) { v.Del("redirect_uri") },
			"unregistered redirect_uri":         func(v url.Values) { v.Set("redirect_uri", "https://evil.example/callback") },
			"redirect_uri with a trailing /":    func(v url.Values) { v.Set("redirect_uri", callback+"/") },
			"redirect_uri in upper case":        func(v url.Values) { v.Set("redirect_uri", strings.ToUpper(callback)) },
			"redirect_uri with an extra query":  func(v url.Values) { v.Set("redirect_uri", callback+"?x=1") },
			"redirect_uri without its query":    func(v url.Values) { v.Set("redirect_uri", "http://localhost:3000/other") },
			"redirect_uri repeated":             func(v url.Values) { v["redirect_uri"] = []string{callback, "https://evil.example/"} },
			"unknown client and bad everything": func(v url.Values) { v.Set("client_id", "x"); v.Set("response_type", "bogus") },
		} {
			browser := testserver.Browser(t)
			resp, err := browser.Get(authURL(prefix, func() url.Values { v := base(); mutate(v); return v }()))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.Header.Get("Location") != "" || resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s %s: status %d, Location %q; want 400 and no redirect", prefix, name, resp.StatusCode, resp.Header.Get("Location"))
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s %s: Content-Type %q, want an HTML error page", prefix, name, ct)
			}
		}
	}

	// prompt=none without a session comes back as login_required.
	v := base()
	v.Set("prompt", "none")
	resp, err := testserver.Browser(t).Get(authURL("oauth", v))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("prompt=none without a session: status %d, no redirect", resp.StatusCode)
	}
	if q := loc.Query(); q.Get("error") != "login_required" || q.Get("state") != "xyz" || q.Get("error_description") == "" {
		t.Errorf("prompt=none without a session: %s", loc)
	}

	// Redirected once client and redirect URI are known good.
	for _, prefix := range prefixes {
		for _, tc := range []struct {
			name   string
			mutate func(url.Values)
			error  string
		}{
			{"no response_type", func(v url.Values) { v.Del("response_type") }, "invalid_request"},
			{"unknown response_type", func(v url.Values) { v.Set("response_type", "code bogus") }, "unsupported_response_type"},
			{"bad scope", func(v url.Values) { v.Set("scope", `user "x"`) }, "invalid_scope"},
			{"unknown prompt", func(v url.Values) { v.Set("prompt", "bogus") }, "invalid_request"},
			{"prompt=none with login", func(v url.Values) { v.Set("prompt", "none login") }, "invalid_request"},
			{"unknown response_mode", func(v url.Values) { v.Set("response_mode", "form_post_jwt") }, "invalid_request"},
			{"callback with its own query", func(v url.Values) { v.Set("redirect_uri", otherCallback); v.Del("response_type") }, "invalid_request"},
		} {
			v := base()
			tc.mutate(v)
			q := e.authorize(t, authURL(prefix, v))
			if q.Get("error") != tc.error || q.Get("state") != "xyz" || q.Get("error_description") == "" || q.Has("code") {
				t.Errorf("%s %s: callback query %v, want error %s with description and state", prefix, tc.name, q, tc.error)
			}
			if v.Get("redirect_uri") == otherCallback && q.Get("tenant") != "a" {
				t.Errorf("%s %s: the callback's own query was lost: %v", prefix, tc.name, q)
			}
		}
	}

	// With a session, prompt=none and unknown parameters pass.
	e.code(t, e.config(c, "oauth", oauth2.AuthStyleInParams))
	v = base()
	v.Set("prompt", "none")
	v.Set("x-unknown", "1")
	if q := e.authorize(t, authURL("oidc", v)); !opaqueRE.MatchString(q.Get("code")) || q.Get("state") != "xyz" {
		t.Errorf("prompt=none with a session: %v", q)
	}
}

// TestConcurrentCodeRedemption: of many simultaneous exchanges of one code
// exactly one succeeds, and the replays end the tokens it got.
func TestConcurrentCodeRedemption(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	form := c.creds(url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {callback},
		"code": {e.code(t, e.config(c, "oauth", oauth2.AuthStyleInParams))}})
	const n = 8
	results := make(chan *response, n)
	for range n {
		go func() {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url("oauth", "/token"), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", formType)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				results <- &response{status: -1, body: []byte(err.Error())}
				return
			}
			defer resp.Body.Close()
			var b strings.Builder
			_, _ = io.Copy(&b, resp.Body)
			results <- &response{status: resp.StatusCode, header: resp.Header, body: []byte(b.String())}
		}()
	}
	var won []string
	for range n {
		r := <-results
		switch r.status {
		case http.StatusOK:
			won = append(won, str(decode(t, r), "access_token"))
		case http.StatusBadRequest:
			wantError(t, r, http.StatusBadRequest, "invalid_grant")
		default:
			t.Errorf("status %d: %s", r.status, r.body)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d exchanges succeeded, want exactly 1", len(won))
	}
	wantInactive(t, e.introspect(t, c, "oauth", won[0]))
}

func TestAuthorizeVariants(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	cfg := e.config(c, "oauth", oauth2.AuthStyleInParams)
	e.code(t, cfg) // signs in

	// prompt=login sends a signed-in user back to the login page, once.
	resp, err := e.browser.Get(cfg.AuthCodeURL("st-123", oauth2.SetAuthURLParam("prompt", "login")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil || loc.Path != "/login" {
		t.Fatalf("prompt=login: status %d, Location %v; want the login page", resp.StatusCode, loc)
	}
	if rt := loc.Query().Get("return_to"); strings.Contains(rt, "prompt") || !strings.HasPrefix(rt, "/oauth/auth?") {
		t.Errorf("prompt=login: return_to %q, want the authorize request without prompt", rt)
	}
	if _, err := cfg.Exchange(t.Context(), e.code(t, cfg, oauth2.SetAuthURLParam("prompt", "login"))); err != nil {
		t.Errorf("exchange after prompt=login: %v", err)
	}

	// response_mode=fragment puts the code in the fragment.
	loc = e.srv.Authorize(t, e.browser, cfg.AuthCodeURL("st", oauth2.SetAuthURLParam("response_mode", "fragment")), userName, userPassword)
	f, _ := url.ParseQuery(loc.Fragment)
	if loc.RawQuery != "" || !opaqueRE.MatchString(f.Get("code")) || f.Get("state") != "st" {
		t.Errorf("response_mode=fragment: %s", loc)
	}

	// The authorization request may be a form POST.
	u, _ := url.Parse(cfg.AuthCodeURL("st-post"))
	resp, err = e.browser.PostForm(e.url("oidc", "/auth"), u.Query())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err = resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), callback+"?") || loc.Query().Get("state") != "st-post" || !opaqueRE.MatchString(loc.Query().Get("code")) {
		t.Errorf("POST authorize: status %d, Location %v", resp.StatusCode, loc)
	}
}
