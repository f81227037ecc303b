package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// The attacks of issue 13 items 13 and 14, replayed over HTTP against the
// real server as the strict clients and the browser that found them.

const (
	spaOrigin   = "https://spa.example"
	spaCallback = spaOrigin + "/callback"
	evilOrigin  = "https://evil.example"
	// otherOrigin belongs to another application.
	otherOrigin = "https://other.example"
)

// strictUserinfo is a typed client's view of the standard claims (OpenID
// Connect Core 5.1): updated_at is a number, so an ISO string fails to decode.
type strictUserinfo struct {
	Sub               string `json:"sub"`
	Name              string `json:"name"`
	PreferredUsername string `json:"preferred_username"`
	Email             string `json:"email"`
	EmailVerified     bool   `json:"email_verified"`
	UpdatedAt         int64  `json:"updated_at"`
}

// oidcSignIn runs the code flow with PKCE for the public client appID under
// /oidc, as a single-page app does, and returns the token response.
func oidcSignIn(t *testing.T, srv *testserver.Server, appID, username, password, scope string) *oauth2.Token {
	t.Helper()
	cfg := &oauth2.Config{
		ClientID: appID, RedirectURL: spaCallback, Scopes: strings.Fields(scope),
		Endpoint: oauth2.Endpoint{AuthURL: srv.URL + "/oidc/auth", TokenURL: srv.URL + "/oidc/token", AuthStyle: oauth2.AuthStyleInParams},
	}
	verifier := oauth2.GenerateVerifier()
	loc := srv.Authorize(t, testserver.Browser(t), cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n")), username, password)
	tok, err := cfg.Exchange(t.Context(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// TestAttackStrictClientDecodesClaims replays item 13: a typed Go client
// (go-oidc) decodes /oidc/me and the id token of an application with the
// default claims format; no claim is null.
func TestAttackStrictClientDecodesClaims(t *testing.T) {
	srv := testserver.Start(t)
	u, err := srv.Users.Create(t.Context(), users.CreateParams{Username: "grace", Name: "Grace Hopper", Password: "cobol compiler"})
	if err != nil {
		t.Fatal(err)
	}
	app, _ := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{spaCallback}, TokenAuthMethod: model.AuthNone})
	tok := oidcSignIn(t, srv, app.ID, "grace", "cobol compiler", "openid profile email")

	provider, err := oidc.NewProvider(t.Context(), srv.URL+"/oidc")
	if err != nil {
		t.Fatal(err)
	}
	info, err := provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("go-oidc userinfo: %v", err)
	}
	var claims strictUserinfo
	if err := info.Claims(&claims); err != nil {
		t.Fatalf("a typed client cannot decode /oidc/me: %v", err)
	}
	if claims.Sub != u.ID || claims.Name != "Grace Hopper" || claims.UpdatedAt != u.UpdatedAt.Unix() {
		t.Errorf("userinfo = %+v; want sub %s, name Grace Hopper, updated_at %d", claims, u.ID, u.UpdatedAt.Unix())
	}
	var raw map[string]any
	if err := info.Claims(&raw); err != nil {
		t.Fatal(err)
	}
	checkNoEmptyClaims(t, "userinfo", raw)

	idTok, err := provider.Verifier(&oidc.Config{ClientID: app.ID, Now: srv.Clock.Now}).Verify(t.Context(), tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	var idClaims strictUserinfo
	if err := idTok.Claims(&idClaims); err != nil {
		t.Fatalf("a typed client cannot decode the id token: %v", err)
	}
	if idClaims.UpdatedAt != u.UpdatedAt.Unix() || idClaims.Name != "Grace Hopper" {
		t.Errorf("id token claims = %+v; want updated_at %d and the name", idClaims, u.UpdatedAt.Unix())
	}
	raw = nil
	if err := idTok.Claims(&raw); err != nil {
		t.Fatal(err)
	}
	checkNoEmptyClaims(t, "id token", raw)

	// An application whose code parses claims the way GenAuth's SDKs do
	// chooses the genauth format: an ISO updated_at in userinfo and id token.
	legacy, _ := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{spaCallback}, TokenAuthMethod: model.AuthNone,
		ClaimsFormat: model.ClaimsGenAuth})
	tok = oidcSignIn(t, srv, legacy.ID, "grace", "cobol compiler", "openid profile email")
	var genauthShape struct {
		Name      string  `json:"name"`
		Email     *string `json:"email"`
		UpdatedAt string  `json:"updated_at"`
	}
	if info, err = provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok)); err != nil {
		t.Fatal(err)
	}
	if err := info.Claims(&genauthShape); err != nil || genauthShape.UpdatedAt != u.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("genauth format userinfo: %+v, %v; want an ISO updated_at", genauthShape, err)
	}
	if idTok, err = provider.Verifier(&oidc.Config{ClientID: legacy.ID, Now: srv.Clock.Now}).Verify(t.Context(), tok.Extra("id_token").(string)); err != nil {
		t.Fatal(err)
	}
	genauthShape.UpdatedAt = ""
	if err := idTok.Claims(&genauthShape); err != nil || genauthShape.UpdatedAt != u.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("genauth format id token: %+v, %v; want an ISO updated_at", genauthShape, err)
	}
}

// checkNoEmptyClaims fails for a claim sent as null or "" (OpenID Connect Core 5.3.2).
func checkNoEmptyClaims(t *testing.T, what string, claims map[string]any) {
	t.Helper()
	for name, v := range claims {
		if v == nil || v == "" {
			t.Errorf("%s: claim %s is %#v; an unknown claim must be left out", what, name, v)
		}
		if sub, ok := v.(map[string]any); ok {
			checkNoEmptyClaims(t, what+" "+name, sub)
		}
	}
}

// corsRequest sends a request as a browser on origin would, and returns the
// answer with its body read.
func corsRequest(t *testing.T, method, target, origin string, header map[string]string, body url.Values) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// preflight is the OPTIONS request a browser sends before a request with
// method and the given request headers.
func preflight(t *testing.T, target, origin, method, headers string) *http.Response {
	t.Helper()
	h := map[string]string{"Access-Control-Request-Method": method}
	if headers != "" {
		h["Access-Control-Request-Headers"] = headers
	}
	resp, _ := corsRequest(t, http.MethodOptions, target, origin, h, nil)
	return resp
}

// readableBy reports whether a browser on origin may read resp: the
// response names the origin (or * for public documents) and never pairs *
// with credentials.
func readableBy(t *testing.T, resp *http.Response, origin string) bool {
	t.Helper()
	allow := resp.Header.Get("Access-Control-Allow-Origin")
	if allow == "*" && resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("%s %s: Access-Control-Allow-Origin * with credentials", resp.Request.Method, resp.Request.URL)
	}
	return allow == "*" || allow == origin
}

// TestAttackSPAUsesPublicClient replays item 14: a single-page app on its
// own origin, a public client, fetches discovery, JWKS, the token endpoint,
// userinfo and revocation across origins, preflights included; a page on an
// origin no application lists reads nothing, and one on another
// application's origin cannot read the SPA's answers.
func TestAttackSPAUsesPublicClient(t *testing.T) {
	srv := testserver.Start(t)
	srv.CreateUser(t, "grace", "cobol compiler")
	app, _ := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{spaCallback}, TokenAuthMethod: model.AuthNone,
		IntrospectionAuthMethod: model.AuthNone, RevocationAuthMethod: model.AuthNone})
	srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{"https://login.example/cb"}, WebOrigins: []string{otherOrigin}})
	iss := srv.URL + "/oidc"

	for _, doc := range []string{"/.well-known/openid-configuration", "/.well-known/jwks.json"} {
		resp, _ := corsRequest(t, http.MethodGet, iss+doc, spaOrigin, nil, nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s from %s: %d, Access-Control-Allow-Origin %q; want 200 and * (a public document)",
				doc, spaOrigin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
		readableBy(t, resp, spaOrigin)
	}

	// Preflights the SPA's fetches cause (Authorization and the SDKs' headers are not CORS-safelisted).
	for _, p := range []struct{ path, method, headers string }{
		{"/token", http.MethodPost, "content-type"},
		{"/me", http.MethodGet, "authorization,x-authing-app-id"},
		{"/token/revocation", http.MethodPost, "content-type"},
	} {
		resp := preflight(t, iss+p.path, spaOrigin, p.method, p.headers)
		if resp.StatusCode != http.StatusNoContent || !readableBy(t, resp, spaOrigin) ||
			!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), p.method) ||
			!strings.EqualFold(resp.Header.Get("Access-Control-Allow-Headers"), p.headers) {
			t.Errorf("preflight %s %s from %s: %d %v; want 204 allowing the origin, method and headers", p.method, p.path, spaOrigin, resp.StatusCode, resp.Header)
		}
		if resp := preflight(t, iss+p.path, evilOrigin, p.method, p.headers); resp.StatusCode != http.StatusForbidden || readableBy(t, resp, evilOrigin) {
			t.Errorf("preflight %s %s from %s: %d, Access-Control-Allow-Origin %q; want 403 and none", p.method, p.path, evilOrigin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}

	// The code exchange from the SPA's origin: readable there, and only there.
	cfg := &oauth2.Config{ClientID: app.ID, RedirectURL: spaCallback, Scopes: []string{"openid", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: iss + "/auth", TokenURL: iss + "/token"}}
	verifier := oauth2.GenerateVerifier()
	loc := srv.Authorize(t, testserver.Browser(t), cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "grace", "cobol compiler")
	exchange := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {spaCallback},
		"client_id": {app.ID}, "code_verifier": {verifier}}
	resp, body := corsRequest(t, http.MethodPost, iss+"/token", spaOrigin, nil, exchange)
	if resp.StatusCode != http.StatusOK || !readableBy(t, resp, spaOrigin) || !strings.Contains(resp.Header.Get("Vary"), "Origin") {
		t.Fatalf("token from %s: %d %v %s; want 200 readable by the origin, Vary: Origin", spaOrigin, resp.StatusCode, resp.Header, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(body), &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token body %s: %v", body, err)
	}
	// The SPA's client from origins it does not list: its answers are not
	// readable there, though the other application's origin passes preflights.
	if resp := preflight(t, iss+"/token", otherOrigin, http.MethodPost, "content-type"); !readableBy(t, resp, otherOrigin) {
		t.Errorf("preflight from %s, listed by another application: %d; want allowed", otherOrigin, resp.StatusCode)
	}
	bogus := url.Values{"grant_type": {"authorization_code"}, "code": {"0123456789abcdef0123456789abcdef01234567"},
		"redirect_uri": {spaCallback}, "client_id": {app.ID}, "code_verifier": {verifier}}
	for _, origin := range []string{otherOrigin, evilOrigin} {
		if resp, body := corsRequest(t, http.MethodPost, iss+"/token", origin, nil, bogus); resp.StatusCode != http.StatusBadRequest || readableBy(t, resp, origin) {
			t.Errorf("token for the SPA's client from %s: %d, Access-Control-Allow-Origin %q (%s); want 400 not readable",
				origin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), body)
		}
	}

	bearer := map[string]string{"Authorization": "Bearer " + tok.AccessToken, "X-Authing-App-Id": app.ID}
	resp, body = corsRequest(t, http.MethodGet, iss+"/me", spaOrigin, bearer, nil)
	if resp.StatusCode != http.StatusOK || !readableBy(t, resp, spaOrigin) {
		t.Errorf("userinfo from %s: %d %v %s; want 200 readable by the origin", spaOrigin, resp.StatusCode, resp.Header, body)
	}
	for _, origin := range []string{otherOrigin, evilOrigin} {
		if resp, _ := corsRequest(t, http.MethodGet, iss+"/me", origin, bearer, nil); resp.StatusCode != http.StatusOK || readableBy(t, resp, origin) {
			t.Errorf("userinfo with the SPA's token from %s: %d, Access-Control-Allow-Origin %q; want 200 not readable",
				origin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}

	resp, body = corsRequest(t, http.MethodPost, iss+"/token/revocation", spaOrigin, nil,
		url.Values{"token": {tok.AccessToken}, "client_id": {app.ID}})
	if resp.StatusCode != http.StatusOK || !readableBy(t, resp, spaOrigin) {
		t.Errorf("revocation from %s: %d %v %s; want 200 readable by the origin", spaOrigin, resp.StatusCode, resp.Header, body)
	}
	if resp, _ := corsRequest(t, http.MethodGet, iss+"/me", spaOrigin, bearer, nil); resp.StatusCode != http.StatusUnauthorized || !readableBy(t, resp, spaOrigin) {
		t.Errorf("userinfo after revocation from %s: %d, Access-Control-Allow-Origin %q; want a 401 the SPA can read",
			spaOrigin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}
