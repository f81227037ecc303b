package oidc_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/password"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

func TestGoldenDiscovery(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, body := get(t, http.DefaultClient, e.issuer+"/.well-known/openid-configuration")
	checkGolden(t, "discovery", []byte(body), golden.Scrub{URLs: map[string]string{e.srv.URL: "public_url"}})
}

func TestGoldenJWKS(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, body := get(t, http.DefaultClient, e.issuer+"/.well-known/jwks.json")
	checkGolden(t, "jwks", []byte(body), golden.Scrub{Keys: map[string]string{
		"kid": `[A-Za-z0-9_-]{20,}`,
		"n":   `[A-Za-z0-9_-]{342}`, // 2048 bits
		"e":   `AQAB`,
		"x":   `[A-Za-z0-9_-]{43}`, // P-256
		"y":   `[A-Za-z0-9_-]{43}`,
	}})
}

// TestGoldenIDTokens pins the claim sets of id tokens: the code flow with
// every scope for a user with a full profile, with openid alone, the hybrid
// flow, and a refresh.
func TestGoldenIDTokens(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	hash, err := password.Hash(rand.Reader, "ada's password")
	if err != nil {
		t.Fatal(err)
	}
	ada := &model.User{
		ID: token.NewSource(rand.Reader).ID(), Username: "ada", Email: "ada@example.com", EmailVerified: true,
		Phone: "+441234567890", PhoneVerified: true, PasswordHash: hash, Name: "Ada Lovelace", GivenName: "Ada",
		FamilyName: "Lovelace", MiddleName: "Augusta", Nickname: "Countess", PreferredUsername: "ada.l",
		Profile: "https://example.com/ada", Picture: "https://example.com/ada.png", Website: "https://ada.example.com",
		Gender: model.GenderFemale, Birthdate: "1815-12-10", Zoneinfo: "Europe/London", Locale: "en-GB",
		Address: model.Address{
			Formatted: "12 St James's Square, London SW1Y 4JH, UK", StreetAddress: "12 St James's Square",
			Locality: "London", Region: "Greater London", PostalCode: "SW1Y 4JH", Country: "UK",
		},
		CreatedAt: e.srv.Clock.Now().Add(-time.Hour), UpdatedAt: e.srv.Clock.Now().Add(-time.Hour),
	}
	if err := e.srv.Store.CreateUser(t.Context(), ada); err != nil {
		t.Fatal(err)
	}
	browser := testserver.Browser(t)
	cfg := e.config(c, allScopes)
	loc := e.srv.Authorize(t, browser, cfg.AuthCodeURL("st-1", oauth2.SetAuthURLParam("nonce", "golden-nonce")), "ada", "ada's password")
	signedIn := e.srv.Clock.Now()
	e.srv.Clock.Advance(5 * time.Second) // iat differs from auth_time
	scrubFor := func(user *model.User, accessToken, code string) golden.Scrub {
		now := e.srv.Clock.Now()
		return golden.Scrub{
			Strs: map[string]string{
				e.issuer: "issuer", user.ID: "sub", c.app.ID: "client_id",
				halfHash(accessToken): "at_hash", halfHash(code): "c_hash",
			},
			Ints: map[int64]string{
				now.Unix(): "now", now.Add(model.DefaultIDTokenTTL).Unix(): "now+1h",
				signedIn.Unix(): "auth_time", user.UpdatedAt.Unix(): "updated_at",
			},
			Keys: map[string]string{"sid": `[0-9a-f]{32}`},
		}
	}
	tok, err := cfg.Exchange(t.Context(), callbackParams(t, loc, "query").Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := payload(t, tok.Extra("id_token").(string))
	checkGolden(t, "id_token_code_all_scopes", raw, scrubFor(ada, tok.AccessToken, ""))

	e.srv.Clock.Advance(time.Minute)
	refreshed, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = payload(t, refreshed.Extra("id_token").(string))
	checkGolden(t, "id_token_refresh", raw, scrubFor(ada, refreshed.AccessToken, ""))

	// openid alone, for the user made through the users service.
	e.srv.Clock.Advance(time.Minute)
	aliceBrowser := testserver.Browser(t)
	openid := e.config(c, "openid")
	loc = e.srv.Authorize(t, aliceBrowser, openid.AuthCodeURL("st-1", oauth2.SetAuthURLParam("nonce", "golden-nonce")), userName, userPassword)
	signedIn = e.srv.Clock.Now()
	e.srv.Clock.Advance(5 * time.Second)
	tok, err = openid.Exchange(t.Context(), callbackParams(t, loc, "query").Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = payload(t, tok.Extra("id_token").(string))
	checkGolden(t, "id_token_openid_only", raw, scrubFor(e.user, tok.AccessToken, ""))

	// The hybrid flow's id token from the authorization endpoint, in the same session.
	e.srv.Clock.Advance(5 * time.Second)
	loc = e.srv.Authorize(t, aliceBrowser, e.authURL(c, "response_type", "code id_token", "scope", "openid email", "nonce", "golden-nonce"), "", "")
	q := callbackParams(t, loc, "fragment")
	raw, _ = payload(t, q.Get("id_token"))
	checkGolden(t, "id_token_code_id_token", raw, scrubFor(e.user, "", q.Get("code")))
}

// TestGoldenAccessTokens pins the header and claims of JWT access tokens
// (RFC 9068, contract 5.3): a user's from the code flow and an
// application's own from client_credentials (azp, no sub), and that the
// per-application key set is the same document.
func TestGoldenAccessTokens(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{AccessTokenTTL: 2 * time.Hour}) // an OpenID Connect app: JWT by default
	m2m := e.newApp(t, apps.CreateParams{GrantTypes: []string{model.GrantClientCredentials}, RedirectURIs: []string{},
		AllowedScopes: "reports:read", AccessTokenTTL: 2 * time.Hour})
	scrub := func(clientID string) golden.Scrub {
		now := e.srv.Clock.Now()
		return golden.Scrub{
			Strs: map[string]string{e.issuer: "issuer", e.user.ID: "sub", clientID: "client_id"},
			Ints: map[int64]string{now.Unix(): "now", now.Add(2 * time.Hour).Unix(): "now+2h"},
			Keys: map[string]string{"jti": `[A-Za-z0-9_-]{20}`, "kid": `[A-Za-z0-9_-]{20,}`},
		}
	}
	tok, _, _ := e.signedIn(t, e.browser, c, "openid email offline_access", "n-1")
	headerJSON, err := json.Marshal(header(t, tok.AccessToken))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "access_token_header", headerJSON, scrub(c.app.ID))
	raw, _ := payload(t, tok.AccessToken)
	checkGolden(t, "access_token_code", raw, scrub(c.app.ID))

	cc := clientcredentials.Config{ClientID: m2m.app.ID, ClientSecret: m2m.secret, TokenURL: e.issuer + "/token", Scopes: []string{"reports:read"}}
	own, err := cc.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = payload(t, own.AccessToken)
	checkGolden(t, "access_token_client_credentials", raw, scrub(m2m.app.ID))

	_, all := get(t, http.DefaultClient, e.issuer+"/.well-known/jwks.json")
	resp, mine := get(t, http.DefaultClient, e.srv.URL+"/"+c.app.ID+"/oidc/.well-known/jwks.json")
	if resp.StatusCode != http.StatusOK || mine != all {
		t.Errorf("the application's key set: %d %s; want 200 and the key set %s", resp.StatusCode, mine, all)
	}
	resp, body := get(t, http.DefaultClient, e.srv.URL+"/no-such-app/oidc/.well-known/jwks.json")
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("an unknown application's key set: %d %q %s; want 404 JSON", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	checkGolden(t, "jwks_unknown_app", []byte(body), golden.Scrub{})
}

// TestGoldenDetectsDrift makes sure the comparison can fail: a reordered or
// extra claim, a number sent as a string, or a value the golden.Scrub does not know
// (a wrong at_hash) all differ from the golden file.
func TestGoldenDetectsDrift(t *testing.T) {
	if *golden.Update {
		t.Skip("rewriting golden files")
	}
	want, err := os.ReadFile(golden.Path("id_token_code_all_scopes"))
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatal(err)
	}
	body := compact.Bytes()
	replace := func(old, new string) []byte { return bytes.Replace(body, []byte(old), []byte(new), 1) }
	if got, err := indented(golden.Scrub{}).Render(body); err != nil || golden.Diff(t, "id_token_code_all_scopes", got) != "" {
		t.Fatalf("the golden file does not round-trip: %v", err)
	}
	for name, tc := range map[string]struct {
		body []byte
		s    golden.Scrub
	}{
		"reordered":        {replace(`"iss":"{{issuer}}","sub":"{{sub}}"`, `"sub":"{{sub}}","iss":"{{issuer}}"`), golden.Scrub{}},
		"extra claim":      {replace(`{`, `{"acr":"1",`), golden.Scrub{}},
		"number as string": {replace(`"{{int:now}}"`, `"{{now}}"`), golden.Scrub{}},
		"unknown at_hash":  {replace(`"{{at_hash}}"`, `"`+halfHash("a")+`"`), golden.Scrub{Strs: map[string]string{halfHash("b"): "at_hash"}}},
	} {
		got, err := indented(tc.s).Render(tc.body)
		if err != nil {
			t.Fatal(err)
		}
		if golden.Diff(t, "id_token_code_all_scopes", got) == "" {
			t.Errorf("%s: no difference found", name)
		}
	}
}

// indented marks s for the indented form oidc's long documents are kept in.
func indented(s golden.Scrub) golden.Scrub {
	s.Indent = true
	return s
}

// checkGolden pins an oidc document in its golden file, indented.
func checkGolden(t *testing.T, name string, body []byte, s golden.Scrub) {
	t.Helper()
	golden.Check(t, name, body, indented(s))
}
