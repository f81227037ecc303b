package oidc_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
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

func TestBadAuthorizeInput(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	codeOnly := e.newApp(t, apps.CreateParams{GrantTypes: []string{model.GrantAuthorizationCode}})
	signedIn := testserver.Browser(t)
	e.signedIn(t, signedIn, c, "openid", "n")
	challenge := strings.Repeat("a", 43)
	for _, tc := range []struct {
		name      string
		anonymous bool   // no session
		prefix    string // default oidc
		app       *client
		set       []string
		mode      string // where the error goes
		want      string
	}{
		{name: "prompt=none without a session", anonymous: true, set: []string{"prompt", "none"}, mode: "query", want: "login_required"},
		{name: "prompt=none without a session, id_token", anonymous: true, set: []string{"prompt", "none", "response_type", "id_token"}, mode: "fragment", want: "login_required"},
		{name: "unknown response_type", set: []string{"response_type", "code_and_more"}, mode: "query", want: "unsupported_response_type"},
		{name: "unsupported combination", set: []string{"response_type", "code token"}, mode: "fragment", want: "unsupported_response_type"},
		{name: "code id_token token", set: []string{"response_type", "code id_token token"}, mode: "fragment", want: "unsupported_response_type"},
		{name: "no response_type", set: []string{"response_type", ""}, mode: "query", want: "invalid_request"},
		{name: "unknown response_mode", set: []string{"response_mode", "jwt"}, mode: "query", want: "invalid_request"},
		{name: "tokens in the query", set: []string{"response_type", "id_token", "response_mode", "query"}, mode: "fragment", want: "invalid_request"},
		{name: "unknown code_challenge_method", set: []string{"code_challenge", challenge, "code_challenge_method", "S512"}, mode: "query", want: "invalid_request"},
		{name: "code_challenge_method without challenge", set: []string{"code_challenge_method", "S256"}, mode: "query", want: "invalid_request"},
		{name: "id_token without nonce", set: []string{"response_type", "id_token", "nonce", ""}, mode: "fragment", want: "invalid_request"},
		{name: "code id_token without nonce", set: []string{"response_type", "code id_token", "nonce", ""}, mode: "fragment", want: "invalid_request"},
		{name: "id_token without openid", set: []string{"response_type", "id_token", "scope", "profile email"}, mode: "fragment", want: "invalid_scope"},
		{name: "id_token token without openid", set: []string{"response_type", "id_token token", "scope", "email"}, mode: "fragment", want: "invalid_scope"},
		{name: "id_token under /oauth", prefix: "oauth", set: []string{"response_type", "id_token"}, mode: "fragment", want: "unsupported_response_type"},
		{name: "code id_token under /oauth", prefix: "oauth", set: []string{"response_type", "code id_token"}, mode: "fragment", want: "unsupported_response_type"},
		{name: "implicit not enabled", app: &codeOnly, set: []string{"response_type", "id_token"}, mode: "fragment", want: "unauthorized_client"},
		{name: "prompt=none with login", set: []string{"prompt", "none login"}, mode: "query", want: "invalid_request"},
		{name: "unknown prompt", set: []string{"prompt", "bogus"}, mode: "query", want: "invalid_request"},
		{name: "negative max_age", set: []string{"max_age", "-1"}, mode: "query", want: "invalid_request"},
		{name: "max_age not a number", set: []string{"max_age", "1h"}, mode: "query", want: "invalid_request"},
		{name: "invalid scope character", set: []string{"scope", "openid \"email\""}, mode: "query", want: "invalid_scope"},
		{name: "request object", set: []string{"request", "eyJhbGciOiJub25lIn0.e30."}, mode: "query", want: "request_not_supported"},
		{name: "request_uri", set: []string{"request_uri", "https://client.example/request.jwt"}, mode: "query", want: "request_uri_not_supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := c
			if tc.app != nil {
				app = *tc.app
			}
			prefix := model.ProtocolOIDC
			if tc.prefix != "" {
				prefix = tc.prefix
			}
			u := strings.Replace(e.authURL(app, tc.set...), "/oidc/auth?", "/"+prefix+"/auth?", 1)
			browser := signedIn
			if tc.anonymous {
				browser = testserver.Browser(t)
			}
			resp, _ := get(t, browser, u)
			loc, err := resp.Location()
			if err != nil {
				t.Fatalf("status %d, no redirect", resp.StatusCode)
			}
			e.wantError(t, callbackParams(t, loc, tc.mode), tc.want, e.srv.URL+"/"+prefix)
		})
	}

	// Errors about the client or its redirect URI are never redirected.
	for name, u := range map[string]string{
		"unknown client":          e.authURL(client{app: &model.Application{ID: "no-such-app"}}),
		"unregistered redirect":   e.authURL(c, "redirect_uri", "http://evil.example/cb"),
		"redirect with more path": e.authURL(c, "redirect_uri", callback+"/x"),
		"no redirect_uri":         e.authURL(c, "redirect_uri", ""),
		"no client_id":            e.authURL(c, "client_id", ""),
		"repeated parameter":      e.authURL(c) + "&response_type=token",
	} {
		resp, body := get(t, signedIn, u)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: status %d, Location %q; want a 400 error page:\n%s", name, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
}

func TestBadLogoutInput(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	other := e.newApp(t, apps.CreateParams{})
	_, _, hint := e.signedIn(t, testserver.Browser(t), c, "openid", "n")
	parts := strings.Split(hint, ".")

	// Signed by this server's key, for another issuer.
	otherIssuer, err := e.srv.Keys.Sign(t.Context(), idtoken.Token{Issuer: "http://evil.example/oidc", User: e.user, App: c.app, Scope: "openid"})
	if err != nil {
		t.Fatal(err)
	}
	// Signed by a key this server never had, once under a published kid.
	stranger, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.Claims{Issuer: e.issuer, Subject: e.user.ID, Audience: jwt.Audience{c.app.ID}}
	sign := func(key any, alg jose.SignatureAlgorithm, kid string) string {
		t.Helper()
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := jwt.Signed(s).Claims(claims).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	var esKid string
	for _, k := range e.publishedKids(t) {
		if k != kid(t, hint) {
			esKid = k // an ES256 key or the next RS256 key: either way not the stranger's
		}
	}
	b64 := base64.RawURLEncoding.EncodeToString
	otherPayload := b64([]byte(`{"iss":"` + e.issuer + `","sub":"someone-else","aud":"` + c.app.ID + `"}`))

	for name, q := range map[string]url.Values{
		"tampered signature":     {"id_token_hint": {parts[0] + "." + parts[1] + "." + b64([]byte("not the signature"))}},
		"tampered payload":       {"id_token_hint": {parts[0] + "." + otherPayload + "." + parts[2]}},
		"garbage":                {"id_token_hint": {"garbage"}},
		"two parts":              {"id_token_hint": {parts[0] + "." + parts[1]}},
		"other issuer":           {"id_token_hint": {otherIssuer}},
		"unknown key":            {"id_token_hint": {sign(stranger, jose.ES256, "stranger")}},
		"unknown key, known kid": {"id_token_hint": {sign(stranger, jose.ES256, esKid)}},
		"HMAC with the secret":   {"id_token_hint": {sign([]byte(c.secret), jose.HS256, kid(t, hint))}},
		"alg none":               {"id_token_hint": {b64([]byte(`{"alg":"none","kid":"`+kid(t, hint)+`"}`)) + "." + parts[1] + "."}},
		"client_id mismatch":     {"id_token_hint": {hint}, "client_id": {other.app.ID}},
		"repeated hint":          {"id_token_hint": {hint, hint}},
		"repeated redirect":      {"id_token_hint": {hint}, "post_logout_redirect_uri": {logoutCallback, "http://evil.example/"}},
		"repeated state":         {"state": {"a", "b"}},
	} {
		t.Run(name, func(t *testing.T) {
			browser := testserver.Browser(t)
			e.signedIn(t, browser, c, "openid", "n")
			if !q.Has("post_logout_redirect_uri") {
				q.Set("post_logout_redirect_uri", logoutCallback)
			}
			resp, body := get(t, browser, e.issuer+"/session/end?"+q.Encode())
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || signedOutPage(resp, body) {
				t.Errorf("status %d, Location %q; want a 400 error page:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			if !e.hasSession(t, browser, c) {
				t.Error("the session was ended by a refused logout request")
			}
		})
	}

	// An unknown client_id without a hint: once confirmed, signed out but never redirected.
	browser := testserver.Browser(t)
	e.signedIn(t, browser, c, "openid", "n")
	resp, body := get(t, browser, e.issuer+"/session/end?"+url.Values{"client_id": {"no-such-app"}, "post_logout_redirect_uri": {logoutCallback}}.Encode())
	if !confirmationPage(resp, body) {
		t.Fatalf("unknown client_id: status %d, Location %q; want the confirmation page", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = confirmSignOut(t, e, browser, body, sameOrigin)
	if body := readBody(t, resp); resp.Header.Get("Location") != "" || !signedOutPage(resp, body) {
		t.Errorf("unknown client_id, confirmed: status %d, Location %q; want the signed-out page", resp.StatusCode, resp.Header.Get("Location"))
	}
}
