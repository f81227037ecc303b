package oidc_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

const (
	callback       = "http://localhost:3000/callback"
	logoutCallback = "http://localhost:3000/logged-out?from=genauth"
	userName       = "alice"
	userEmail      = "alice@example.com"
	userPassword   = "correct horse battery"
	allScopes      = "openid profile email phone address offline_access"
)

// env is a running server with one user, a browser for that user, and a
// go-oidc provider configured with nothing but the issuer URL.
type env struct {
	srv      *testserver.Server
	user     *model.User
	browser  *http.Client
	issuer   string
	provider *oidc.Provider
}

func start(t *testing.T) *env {
	t.Helper()
	srv := testserver.Start(t)
	u, err := srv.Users.Create(t.Context(), users.CreateParams{Username: userName, Email: userEmail, Name: "Alice Liddell", Password: userPassword})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv, user: u, browser: testserver.Browser(t), issuer: srv.URL + "/oidc"}
	e.provider = e.newProvider(t)
	return e
}

// newProvider runs discovery afresh, so the provider fetches JWKS anew.
func (e *env) newProvider(t *testing.T) *oidc.Provider {
	t.Helper()
	p, err := oidc.NewProvider(t.Context(), e.issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return p
}

// client is a registered application and its secret.
type client struct {
	app    *model.Application
	secret string
}

// newApp registers an application that may use every flow /oidc/auth offers.
func (e *env) newApp(t *testing.T, p apps.CreateParams) client {
	t.Helper()
	if p.RedirectURIs == nil {
		p.RedirectURIs = []string{callback}
	}
	if p.LogoutRedirectURIs == nil {
		p.LogoutRedirectURIs = []string{logoutCallback}
	}
	if p.GrantTypes == nil {
		p.GrantTypes = []string{model.GrantAuthorizationCode, model.GrantRefreshToken, model.GrantImplicit}
	}
	app, secret := e.srv.CreateApp(t, p)
	return client{app: app, secret: secret}
}

// config is an x/oauth2 client for c whose endpoints come from discovery.
func (e *env) config(c client, scope string) *oauth2.Config {
	ep := e.provider.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInParams
	return &oauth2.Config{
		ClientID:     c.app.ID,
		ClientSecret: c.secret,
		RedirectURL:  callback,
		Endpoint:     ep,
		Scopes:       strings.Fields(scope),
	}
}

// verifier verifies c's id tokens with the algorithm c is configured for,
// on the server's clock.
func (e *env) verifier(p *oidc.Provider, c client) *oidc.IDTokenVerifier {
	return p.Verifier(&oidc.Config{ClientID: c.app.ID, SupportedSigningAlgs: []string{c.app.IDTokenAlg}, Now: e.srv.Clock.Now})
}

// signedIn is the code flow with PKCE and a nonce through browser's session
// (signing in when asked); it returns the tokens and the verified id token.
func (e *env) signedIn(t *testing.T, browser *http.Client, c client, scope, nonce string) (*oauth2.Token, *oidc.IDToken, string) {
	t.Helper()
	cfg := e.config(c, scope)
	verifier := oauth2.GenerateVerifier()
	loc := e.srv.Authorize(t, browser, cfg.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), userName, userPassword)
	q := callbackParams(t, loc, "query")
	if q.Get("error") != "" || q.Get("state") != "st-1" {
		t.Fatalf("authorize: %v", q)
	}
	tok, err := cfg.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("the token response has no id_token")
	}
	idTok, err := e.verifier(e.provider, c).Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("verify id token: %v", err)
	}
	if idTok.Nonce != nonce {
		t.Errorf("nonce = %q; want %q", idTok.Nonce, nonce)
	}
	return tok, idTok, raw
}

// authURL is /oidc/auth for c with code-flow defaults; set overrides them
// ("" deletes a parameter).
func (e *env) authURL(c client, set ...string) string {
	q := url.Values{
		"client_id":     {c.app.ID},
		"redirect_uri":  {callback},
		"response_type": {"code"},
		"scope":         {"openid email"},
		"state":         {"st-1"},
		"nonce":         {"n-1"},
	}
	for i := 0; i+1 < len(set); i += 2 {
		if set[i+1] == "" {
			q.Del(set[i])
		} else {
			q.Set(set[i], set[i+1])
		}
	}
	return e.issuer + "/auth?" + q.Encode()
}

// callbackParams checks that loc is the registered callback and returns the
// authorization response parameters from its query or its fragment.
func callbackParams(t *testing.T, loc *url.URL, mode string) url.Values {
	t.Helper()
	if loc == nil {
		t.Fatal("no redirect to the callback")
	}
	if base := loc.Scheme + "://" + loc.Host + loc.Path; base != callback {
		t.Fatalf("redirected to %s; want the callback %s", loc, callback)
	}
	raw := loc.RawQuery
	other := loc.EscapedFragment()
	if mode == "fragment" {
		raw, other = other, raw
	}
	if other != "" {
		t.Errorf("the response is in the %s; want it in the %s only: %s", map[string]string{"query": "fragment", "fragment": "query"}[mode], mode, loc)
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("parse %s: %v", mode, err)
	}
	return q
}

// wantError checks an error authorization response: code, state and iss.
func (e *env) wantError(t *testing.T, q url.Values, code, iss string) {
	t.Helper()
	if q.Get("error") != code {
		t.Errorf("error = %q (%s); want %s", q.Get("error"), q.Get("error_description"), code)
	}
	if q.Get("error_description") == "" {
		t.Error("no error_description")
	}
	if q.Get("state") != "st-1" {
		t.Errorf("state = %q; want st-1", q.Get("state"))
	}
	if q.Get("iss") != iss {
		t.Errorf("iss = %q; want %s", q.Get("iss"), iss)
	}
	if q.Has("code") || q.Has("access_token") || q.Has("id_token") {
		t.Errorf("an error response carries a credential: %v", q)
	}
}

// payload decodes a JWT's claims without verifying it: the raw bytes, in
// the server's order, and as a map.
func payload(t *testing.T, jwt string) ([]byte, map[string]any) {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return raw, m
}

// header decodes a JWT's protected header.
func header(t *testing.T, jwt string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func kid(t *testing.T, jwt string) string {
	t.Helper()
	k, _ := header(t, jwt)["kid"].(string)
	return k
}

// halfHash is at_hash / c_hash as OpenID Connect Core 3.1.3.6 and 3.3.2.11
// define them for RS256 and ES256, computed here independently of the server.
func halfHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// publishedKids lists the kids in the server's JWKS.
func (e *env) publishedKids(t *testing.T) []string {
	t.Helper()
	resp, err := http.Get(e.issuer + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

// hasSession probes browser's session with prompt=none: true when the
// server answers with a code, false on login_required.
func (e *env) hasSession(t *testing.T, browser *http.Client, c client) bool {
	t.Helper()
	resp, err := browser.Get(e.authURL(c, "prompt", "none"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("prompt=none: status %d, no redirect", resp.StatusCode)
	}
	q := callbackParams(t, loc, "query")
	switch {
	case q.Get("code") != "":
		return true
	case q.Get("error") == "login_required":
		return false
	}
	t.Fatalf("prompt=none answered %v", q)
	return false
}

// get fetches u with browser without following redirects and returns the
// response with its body read.
func get(t *testing.T, browser *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := browser.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readBody(t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// claimNames lists the claims of m that are not in skip, sorted.
func claimNames(m map[string]any, skip ...string) []string {
	var names []string
	for k := range m {
		if !slices.Contains(skip, k) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}
