package oidc_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth"
	"github.com/opengenauth/genauth/internal/apps"
	"github.com/opengenauth/genauth/internal/password"
	"github.com/opengenauth/genauth/internal/testserver"
	"github.com/opengenauth/genauth/internal/token"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// scrub replaces the values a test cannot pin with placeholders, keeping
// every key, its order and the JSON type of each value: a known string
// becomes "{{name}}", a known integer "{{int:name}}" (so a number sent as a
// string, or a wrong value, stays as it is and the comparison fails).
type scrub struct {
	strs map[string]string // exact string value -> placeholder
	ints map[int64]string  // exact integer value -> placeholder
	// keys maps a key whose string value only has a known shape to that shape's pattern.
	keys map[string]string
	urls map[string]string // URL prefix of string values -> placeholder
}

func (s scrub) apply(body []byte) []byte {
	out := body
	for v, name := range s.strs {
		out = bytes.ReplaceAll(out, []byte(strconv.Quote(v)), []byte(`"{{`+name+`}}"`))
	}
	for v, name := range s.ints {
		re := regexp.MustCompile(`([:,\[])` + strconv.FormatInt(v, 10) + `([,}\]])`)
		out = re.ReplaceAll(out, []byte(`${1}"{{int:`+name+`}}"${2}`))
	}
	for prefix, name := range s.urls {
		out = bytes.ReplaceAll(out, []byte(`"`+prefix), []byte(`"{{`+name+`}}`))
	}
	for key, pattern := range s.keys {
		re := regexp.MustCompile(`("` + regexp.QuoteMeta(key) + `":)"` + pattern + `"`)
		out = re.ReplaceAll(out, []byte(`${1}"{{`+key+`}}"`))
	}
	return out
}

// render is body scrubbed and indented, key order kept.
func render(body []byte, s scrub) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(s.apply(body)), "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".json") }

// goldenDiff is the difference between got and the golden file name, or "".
func goldenDiff(t *testing.T, name string, got []byte) string {
	t.Helper()
	want, err := os.ReadFile(goldenPath(name))
	if err != nil {
		t.Fatalf("%v (run go test ./internal/oidc/ -update to create it)", err)
	}
	return cmp.Diff(string(want), string(got))
}

// golden compares body, scrubbed by s, with testdata/golden/<name>.json;
// with -update it rewrites the file.
func golden(t *testing.T, name string, body []byte, s scrub) {
	t.Helper()
	got, err := render(body, s)
	if err != nil {
		t.Fatalf("%s: %v in %s", name, err, body)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(goldenPath(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenPath(name), got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if d := goldenDiff(t, name, got); d != "" {
		t.Errorf("%s differs from its golden file (-want +got):\n%s", name, d)
	}
}

func TestGoldenDiscovery(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, body := get(t, http.DefaultClient, e.issuer+"/.well-known/openid-configuration")
	golden(t, "discovery", []byte(body), scrub{urls: map[string]string{e.srv.URL: "public_url"}})
}

func TestGoldenJWKS(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, body := get(t, http.DefaultClient, e.issuer+"/.well-known/jwks.json")
	golden(t, "jwks", []byte(body), scrub{keys: map[string]string{
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
	ada := &genauth.User{
		ID: token.NewSource(rand.Reader).ID(), Username: "ada", Email: "ada@example.com", EmailVerified: true,
		Phone: "+441234567890", PhoneVerified: true, PasswordHash: hash, Name: "Ada Lovelace", GivenName: "Ada",
		FamilyName: "Lovelace", MiddleName: "Augusta", Nickname: "Countess", PreferredUsername: "ada.l",
		Profile: "https://example.com/ada", Picture: "https://example.com/ada.png", Website: "https://ada.example.com",
		Gender: genauth.GenderFemale, Birthdate: "1815-12-10", Zoneinfo: "Europe/London", Locale: "en-GB",
		Address: genauth.Address{
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
	scrubFor := func(user *genauth.User, accessToken, code string) scrub {
		now := e.srv.Clock.Now()
		return scrub{
			strs: map[string]string{
				e.issuer: "issuer", user.ID: "sub", c.app.ID: "client_id",
				halfHash(accessToken): "at_hash", halfHash(code): "c_hash",
			},
			ints: map[int64]string{
				now.Unix(): "now", now.Add(genauth.DefaultIDTokenTTL).Unix(): "now+1h",
				signedIn.Unix(): "auth_time", user.UpdatedAt.Unix(): "updated_at",
			},
			keys: map[string]string{"sid": `[0-9a-f]{32}`},
		}
	}
	tok, err := cfg.Exchange(t.Context(), callbackParams(t, loc, "query").Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := payload(t, tok.Extra("id_token").(string))
	golden(t, "id_token_code_all_scopes", raw, scrubFor(ada, tok.AccessToken, ""))

	e.srv.Clock.Advance(time.Minute)
	refreshed, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = payload(t, refreshed.Extra("id_token").(string))
	golden(t, "id_token_refresh", raw, scrubFor(ada, refreshed.AccessToken, ""))

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
	golden(t, "id_token_openid_only", raw, scrubFor(e.user, tok.AccessToken, ""))

	// The hybrid flow's id token from the authorization endpoint, in the same session.
	e.srv.Clock.Advance(5 * time.Second)
	loc = e.srv.Authorize(t, aliceBrowser, e.authURL(c, "response_type", "code id_token", "scope", "openid email", "nonce", "golden-nonce"), "", "")
	q := callbackParams(t, loc, "fragment")
	raw, _ = payload(t, q.Get("id_token"))
	golden(t, "id_token_code_id_token", raw, scrubFor(e.user, "", q.Get("code")))
}

// TestGoldenDetectsDrift makes sure the comparison can fail: a reordered or
// extra claim, a number sent as a string, or a value the scrub does not know
// (a wrong at_hash) all differ from the golden file.
func TestGoldenDetectsDrift(t *testing.T) {
	if *update {
		t.Skip("rewriting golden files")
	}
	want, err := os.ReadFile(goldenPath("id_token_code_all_scopes"))
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatal(err)
	}
	body := compact.Bytes()
	replace := func(old, new string) []byte { return bytes.Replace(body, []byte(old), []byte(new), 1) }
	if got, err := render(body, scrub{}); err != nil || goldenDiff(t, "id_token_code_all_scopes", got) != "" {
		t.Fatalf("the golden file does not round-trip: %v", err)
	}
	for name, tc := range map[string]struct {
		body []byte
		s    scrub
	}{
		"reordered":        {replace(`"iss":"{{issuer}}","sub":"{{sub}}"`, `"sub":"{{sub}}","iss":"{{issuer}}"`), scrub{}},
		"extra claim":      {replace(`{`, `{"acr":"1",`), scrub{}},
		"number as string": {replace(`"{{int:now}}"`, `"{{now}}"`), scrub{}},
		"unknown at_hash":  {replace(`"{{at_hash}}"`, `"`+halfHash("a")+`"`), scrub{strs: map[string]string{halfHash("b"): "at_hash"}}},
	} {
		got, err := render(tc.body, tc.s)
		if err != nil {
			t.Fatal(err)
		}
		if goldenDiff(t, "id_token_code_all_scopes", got) == "" {
			t.Errorf("%s: no difference found", name)
		}
	}
}
