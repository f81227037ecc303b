package oidc_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// standardClaims are the id token claims that are not about the user.
var standardClaims = []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "at_hash", "c_hash", "sid"}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	e := start(t) // NewProvider already checked that the issuer matches
	ep := e.provider.Endpoint()
	if ep.AuthURL != e.issuer+"/auth" || ep.TokenURL != e.issuer+"/token" || e.provider.UserInfoEndpoint() != e.issuer+"/me" {
		t.Errorf("endpoints = %+v, userinfo %s", ep, e.provider.UserInfoEndpoint())
	}
	var doc map[string]any
	if err := e.provider.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		name   string
		values []string
	}{
		{"response_types_supported", []string{"code", "id_token", "id_token token", "code id_token"}},
		{"response_modes_supported", []string{"query", "fragment", "form_post"}},
		{"scopes_supported", strings.Fields(allScopes)},
		{"code_challenge_methods_supported", []string{"S256"}},
		{"id_token_signing_alg_values_supported", []string{"RS256", "ES256"}},
		{"token_endpoint_auth_methods_supported", []string{"client_secret_post", "client_secret_basic", "none"}},
		{"claims_supported", []string{"sub", "email", "name", "phone_number", "address", "nonce", "auth_time"}},
	} {
		list, _ := doc[want.name].([]any)
		for _, v := range want.values {
			if !slices.Contains(list, any(v)) {
				t.Errorf("%s = %v; missing %q", want.name, list, v)
			}
		}
	}
	for _, forbidden := range []string{"none", "HS256"} {
		if algs, _ := doc["id_token_signing_alg_values_supported"].([]any); slices.Contains(algs, any(forbidden)) {
			t.Errorf("id tokens may be signed with %s", forbidden)
		}
	}
	if doc["authorization_response_iss_parameter_supported"] != true {
		t.Error("authorization_response_iss_parameter_supported is not true")
	}
	// Every advertised endpoint exists under the issuer.
	for _, name := range []string{"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint", "introspection_endpoint", "revocation_endpoint"} {
		u, _ := doc[name].(string)
		if !strings.HasPrefix(u, e.issuer+"/") {
			t.Errorf("%s = %q; want a URL under %s", name, u, e.issuer)
			continue
		}
		method := http.MethodGet
		if strings.Contains(name, "token") || strings.Contains(name, "revocation") || strings.Contains(name, "introspection") {
			method = http.MethodPost
		}
		req, _ := http.NewRequest(method, u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("%s %s (%s): status %d", method, u, name, resp.StatusCode)
		}
	}
	for path, cache := range map[string]string{"/.well-known/openid-configuration": "public, max-age=3600", "/.well-known/jwks.json": "public, max-age=900"} {
		resp, body := get(t, http.DefaultClient, e.issuer+path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Cache-Control") != cache {
			t.Errorf("%s: status %d, Content-Type %q, Cache-Control %q; want 200, application/json, %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), cache)
		}
		if !json.Valid([]byte(body)) {
			t.Errorf("%s: not JSON: %s", path, body)
		}
	}
}

func TestCodeFlow(t *testing.T) {
	t.Parallel()
	e := start(t)
	for _, alg := range []string{model.SigningRS256, model.SigningES256} {
		t.Run(alg, func(t *testing.T) {
			c := e.newApp(t, apps.CreateParams{IDTokenAlg: alg})
			tok, idTok, raw := e.signedIn(t, testserver.Browser(t), c, "openid profile email", "nonce-"+alg)
			if got := header(t, raw)["alg"]; got != alg {
				t.Errorf("alg = %v; want %s", got, alg)
			}
			if idTok.Issuer != e.issuer || idTok.Subject != e.user.ID || !slices.Equal(idTok.Audience, []string{c.app.ID}) {
				t.Errorf("iss %s sub %s aud %v; want %s %s [%s]", idTok.Issuer, idTok.Subject, idTok.Audience, e.issuer, e.user.ID, c.app.ID)
			}
			if err := idTok.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			if err := idTok.VerifyAccessToken(tok.AccessToken + "x"); err == nil {
				t.Error("at_hash matches another access token")
			}
			if want := e.srv.Clock.Now().Add(model.DefaultIDTokenTTL); !idTok.Expiry.Equal(want) {
				t.Errorf("exp = %v; want %v", idTok.Expiry, want)
			}
			_, m := payload(t, raw)
			if m["auth_time"] != float64(e.srv.Clock.Now().Unix()) || m["sid"] == nil || m["sid"] == "" {
				t.Errorf("auth_time %v, sid %v; want the sign-in time and a session id", m["auth_time"], m["sid"])
			}
			// The verifier pins the application's algorithm: the other one is refused.
			other := model.SigningRS256
			if alg == other {
				other = model.SigningES256
			}
			pinned := e.provider.Verifier(&oidc.Config{ClientID: c.app.ID, SupportedSigningAlgs: []string{other}, Now: e.srv.Clock.Now})
			if _, err := pinned.Verify(t.Context(), raw); err == nil {
				t.Errorf("an %s id token verified with only %s allowed", alg, other)
			}
			if _, err := e.provider.Verifier(&oidc.Config{ClientID: "another-client", Now: e.srv.Clock.Now}).Verify(t.Context(), raw); err == nil {
				t.Error("the id token verified for another audience")
			}
			info, err := e.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			var claims struct {
				Name string `json:"name"`
			}
			if err := info.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			if info.Subject != idTok.Subject || info.Email != userEmail || claims.Name != "Alice Liddell" {
				t.Errorf("userinfo sub %q email %q name %q", info.Subject, info.Email, claims.Name)
			}
			// The id token expires on the server's clock.
			e.srv.Clock.Advance(model.DefaultIDTokenTTL + time.Second)
			if _, err := e.verifier(e.provider, c).Verify(t.Context(), raw); err == nil {
				t.Error("an expired id token verified")
			}
		})
	}
}

// TestClaimsPerScope checks the claims each scope releases for alice, who
// has a username, an email and a name: in the genauth format every claim of
// the scope (null when unknown), in the standard format only known ones.
func TestClaimsPerScope(t *testing.T) {
	t.Parallel()
	e := start(t)
	genauthApp := e.newApp(t, apps.CreateParams{ClaimsFormat: model.ClaimsGenAuth})
	standardApp := e.newApp(t, apps.CreateParams{})
	profile := []string{"birthdate", "family_name", "gender", "given_name", "locale", "middle_name", "name", "nickname", "picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo"}
	for _, tc := range []struct {
		c     client
		scope string
		want  []string
	}{
		{genauthApp, "openid", nil},
		{genauthApp, "openid email", []string{"email", "email_verified"}},
		{genauthApp, "openid phone address", []string{"address", "phone_number", "phone_number_verified"}},
		{genauthApp, "openid profile", profile},
		{standardApp, "openid", nil},
		{standardApp, "openid email", []string{"email", "email_verified"}},
		{standardApp, "openid phone address", nil},
		{standardApp, "openid profile", []string{"gender", "name", "preferred_username", "updated_at"}},
	} {
		c := tc.c
		t.Run(c.app.ClaimsFormat+" "+tc.scope, func(t *testing.T) {
			tok, _, raw := e.signedIn(t, e.browser, c, tc.scope, "n-scope")
			_, m := payload(t, raw)
			if d := cmp.Diff(tc.want, claimNames(m, standardClaims...)); d != "" {
				t.Errorf("id token user claims (-want +got):\n%s", d)
			}
			info, err := e.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatal(err)
			}
			var all map[string]any
			if err := info.Claims(&all); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, claimNames(all, "sub")); d != "" {
				t.Errorf("userinfo claims (-want +got):\n%s", d)
			}
		})
	}
}

func TestRefreshWithOfflineAccess(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	if tok, _, _ := e.signedIn(t, e.browser, c, "openid email", "n-1"); tok.RefreshToken != "" {
		t.Error("a refresh token was issued without offline_access")
	}
	tok, first, _ := e.signedIn(t, e.browser, c, "openid email offline_access", "n-2")
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token with offline_access")
	}
	e.srv.Clock.Advance(10 * time.Minute)
	// Only a refresh token: x/oauth2 must refresh.
	fresh, err := e.config(c, "").TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	raw, _ := fresh.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("the refresh response has no id_token")
	}
	idTok, err := e.verifier(e.provider, c).Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("verify refreshed id token: %v", err)
	}
	// OpenID Connect Core 12.2: same iss, sub and aud, a new iat, no nonce.
	if idTok.Subject != first.Subject || !slices.Equal(idTok.Audience, first.Audience) || idTok.Issuer != first.Issuer {
		t.Errorf("refreshed id token is for %s %v %s; want %s %v %s", idTok.Subject, idTok.Audience, idTok.Issuer, first.Subject, first.Audience, first.Issuer)
	}
	if !idTok.IssuedAt.Equal(e.srv.Clock.Now()) || idTok.Nonce != "" {
		t.Errorf("iat %v nonce %q; want now and no nonce", idTok.IssuedAt, idTok.Nonce)
	}
	if err := idTok.VerifyAccessToken(fresh.AccessToken); err != nil {
		t.Errorf("at_hash of the refreshed id token: %v", err)
	}
	if fresh.AccessToken == tok.AccessToken {
		t.Error("refresh returned the same access token")
	}
}

// TestForcedRotationDuringSessions rotates the keys as `genauth keys rotate`
// does, from outside the running server, while a user is signed in.
func TestForcedRotationDuringSessions(t *testing.T) {
	t.Parallel()
	e := start(t)
	for _, alg := range []string{model.SigningRS256, model.SigningES256} {
		t.Run(alg, func(t *testing.T) {
			c := e.newApp(t, apps.CreateParams{IDTokenAlg: alg})
			browser := testserver.Browser(t)
			oldTok, _, oldRaw := e.signedIn(t, browser, c, "openid offline_access", "n-old")
			publishedBefore := e.publishedKids(t)
			if err := e.srv.Keys.Rotate(t.Context()); err != nil {
				t.Fatal(err)
			}
			e.srv.Clock.Advance(time.Minute) // the server reloads its keys within a minute
			// The live session signs in without a password (Authorize would fail on an empty one).
			_, _, newRaw := e.signedIn(t, browser, c, "openid", "n-new")
			if kid(t, newRaw) == kid(t, oldRaw) {
				t.Fatalf("still signing with %s after the rotation", kid(t, oldRaw))
			}
			if !slices.Contains(publishedBefore, kid(t, newRaw)) {
				t.Errorf("the new signing key %s was not published before it signed (JWKS had %v)", kid(t, newRaw), publishedBefore)
			}
			fresh := e.verifier(e.newProvider(t), c)
			for name, raw := range map[string]string{"old": oldRaw, "new": newRaw} {
				if _, err := fresh.Verify(t.Context(), raw); err != nil {
					t.Errorf("%s id token after the rotation: %v", name, err)
				}
			}
			refreshed, err := e.config(c, "").TokenSource(t.Context(), &oauth2.Token{RefreshToken: oldTok.RefreshToken}).Token()
			if err != nil {
				t.Fatalf("refresh after the rotation: %v", err)
			}
			raw, _ := refreshed.Extra("id_token").(string)
			if kid(t, raw) != kid(t, newRaw) {
				t.Errorf("refresh signed with %s; want the new key %s", kid(t, raw), kid(t, newRaw))
			}
			// An id token from before the rotation is still a valid logout hint.
			resp, _ := get(t, browser, e.issuer+"/session/end?"+url.Values{"id_token_hint": {oldRaw}, "post_logout_redirect_uri": {logoutCallback}}.Encode())
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != logoutCallback {
				t.Errorf("logout with a pre-rotation hint: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}

// TestScheduledRotationDuringSessions crosses the default rotation period on
// the clock: a token signed just before the switch verifies after it.
func TestScheduledRotationDuringSessions(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	_, _, first := e.signedIn(t, e.browser, c, "openid", "n-0")
	e.srv.Clock.Advance(30*24*time.Hour - 10*time.Minute)
	_, _, before := e.signedIn(t, e.browser, c, "openid", "n-1") // the session expired: signs in again
	if kid(t, before) != kid(t, first) {
		t.Fatalf("the key changed before the rotation period ended")
	}
	e.srv.Clock.Advance(20 * time.Minute)
	_, _, after := e.signedIn(t, e.browser, c, "openid", "n-2")
	if kid(t, after) == kid(t, before) {
		t.Fatalf("still signing with %s after a whole rotation period", kid(t, before))
	}
	fresh := e.verifier(e.newProvider(t), c)
	for name, raw := range map[string]string{"before": before, "after": after} {
		if _, err := fresh.Verify(t.Context(), raw); err != nil {
			t.Errorf("id token signed %s the rotation: %v", name, err)
		}
	}
	// No application signs with ES256: JWKS lists only the RSA keys.
	if kids := e.publishedKids(t); !slices.Contains(kids, kid(t, before)) || !slices.Contains(kids, kid(t, after)) || len(kids) != 3 {
		t.Errorf("JWKS kids %v; want the previous, the active and a new next RSA key", kids)
	}
}

func TestEndSession(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	other := e.newApp(t, apps.CreateParams{LogoutRedirectURIs: []string{"http://localhost:4000/bye"}})
	endURL := func(kv ...string) string {
		q := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Add(kv[i], kv[i+1])
		}
		return e.issuer + "/session/end?" + q.Encode()
	}
	// signIn returns a browser with a live session and an id token.
	signIn := func(t *testing.T) (*http.Client, string) {
		browser := testserver.Browser(t)
		_, _, raw := e.signedIn(t, browser, c, "openid", "n-1")
		return browser, raw
	}

	t.Run("hint for another account than the signed-in one", func(t *testing.T) {
		_, hint := signIn(t)
		bob := testserver.Browser(t)
		e.srv.CreateUser(t, "bob", "bob's long password")
		if loc := e.srv.Authorize(t, bob, e.authURL(c), "bob", "bob's long password"); loc.Query().Get("code") == "" {
			t.Fatalf("bob's sign-in: %s", loc)
		}
		// The hint does not name bob: bob is asked, not signed out.
		resp, body := get(t, bob, endURL("id_token_hint", hint, "post_logout_redirect_uri", logoutCallback))
		if !confirmationPage(resp, body) {
			t.Fatalf("status %d, Location %q; want the confirmation page:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		if !e.hasSession(t, bob, c) {
			t.Error("bob was signed out by alice's logout")
		}
		// If bob agrees, the hint's application gets its redirect.
		if resp := confirmSignOut(t, e, bob, body, sameOrigin); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != logoutCallback {
			t.Errorf("confirmed: status %d, Location %q; want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), logoutCallback)
		}
		if e.hasSession(t, bob, c) {
			t.Error("bob is still signed in after confirming")
		}
	})

	t.Run("valid hint and allowed redirect", func(t *testing.T) {
		browser, hint := signIn(t)
		cookie := sessionCookie(t, browser, e.srv.URL)
		resp, _ := get(t, browser, endURL("id_token_hint", hint, "post_logout_redirect_uri", logoutCallback, "state", "s&1"))
		if want := logoutCallback + "&state=s%261"; resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
			t.Fatalf("status %d, Location %q; want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), want)
		}
		if e.hasSession(t, browser, c) {
			t.Error("the browser is still signed in")
		}
		// The session is gone on the server, not only its cookie.
		replay := testserver.Browser(t)
		replay.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{cookie})
		if e.hasSession(t, replay, c) {
			t.Error("the old session cookie still signs in")
		}
		// Afterwards authorization asks for the password again.
		resp, _ = get(t, browser, e.authURL(c))
		if loc, _ := resp.Location(); loc == nil || loc.Path != "/login" {
			t.Errorf("authorize after logout: status %d, Location %v; want the login page", resp.StatusCode, loc)
		}
	})

	t.Run("expired hint", func(t *testing.T) {
		browser, hint := signIn(t)
		e.srv.Clock.Advance(model.DefaultIDTokenTTL + time.Minute) // the session (24h) outlives the id token
		if _, err := e.verifier(e.provider, c).Verify(t.Context(), hint); err == nil {
			t.Fatal("the hint has not expired")
		}
		resp, _ := get(t, browser, endURL("id_token_hint", hint, "post_logout_redirect_uri", logoutCallback))
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != logoutCallback {
			t.Errorf("status %d, Location %q; want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), logoutCallback)
		}
		if e.hasSession(t, browser, c) {
			t.Error("the browser is still signed in")
		}
	})

	t.Run("redirect not on the allowlist", func(t *testing.T) {
		for _, target := range []string{"http://evil.example/", "http://localhost:4000/bye", callback} {
			browser, hint := signIn(t)
			resp, body := get(t, browser, endURL("id_token_hint", hint, "post_logout_redirect_uri", target, "state", "s"))
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !signedOutPage(resp, body) || !strings.Contains(body, `role="alert"`) {
				t.Errorf("%s: status %d, Location %q; want 400 and the signed-out page saying the redirect was refused:\n%s", target, resp.StatusCode, resp.Header.Get("Location"), body)
			}
			if e.hasSession(t, browser, c) {
				t.Errorf("%s: the browser is still signed in", target)
			}
		}
	})

	// Issue 13: without a valid hint anybody may have sent the request, a
	// link or a cross-site form included, so the user is asked first.
	t.Run("client_id without hint", func(t *testing.T) {
		browser, _ := signIn(t)
		resp, body := get(t, browser, endURL("client_id", other.app.ID, "post_logout_redirect_uri", "http://localhost:4000/bye", "state", "xyz"))
		if !confirmationPage(resp, body) || !strings.Contains(body, other.app.Name) {
			t.Fatalf("status %d, Location %q; want the confirmation page naming the application:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		if !e.hasSession(t, browser, c) {
			t.Fatal("signed out before confirming")
		}
		resp = confirmSignOut(t, e, browser, body, sameOrigin)
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "http://localhost:4000/bye?state=xyz" {
			t.Errorf("confirmed: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if e.hasSession(t, browser, c) {
			t.Error("the browser is still signed in")
		}
	})

	t.Run("no redirect", func(t *testing.T) {
		browser, _ := signIn(t)
		resp, body := get(t, browser, endURL())
		if !confirmationPage(resp, body) {
			t.Fatalf("status %d; want the confirmation page:\n%s", resp.StatusCode, body)
		}
		resp = confirmSignOut(t, e, browser, body, sameOrigin)
		if b := readBody(t, resp); resp.StatusCode != http.StatusOK || !signedOutPage(resp, b) || strings.Contains(b, `role="alert"`) {
			t.Errorf("confirmed: status %d; want the signed-out page:\n%s", resp.StatusCode, b)
		}
		if e.hasSession(t, browser, c) {
			t.Error("the browser is still signed in")
		}
	})

	t.Run("cross-site POST without hint only asks", func(t *testing.T) {
		browser, _ := signIn(t)
		resp := postForm(t, browser, e.issuer+"/session/end", url.Values{"client_id": {c.app.ID}, "post_logout_redirect_uri": {logoutCallback}},
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"})
		if body := readBody(t, resp); !confirmationPage(resp, body) {
			t.Errorf("status %d, Location %q; want the confirmation page:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		if !e.hasSession(t, browser, c) {
			t.Error("a cross-site POST signed the browser out")
		}
	})

	t.Run("the confirmation only from this origin", func(t *testing.T) {
		browser, _ := signIn(t)
		_, body := get(t, browser, endURL("client_id", c.app.ID, "post_logout_redirect_uri", logoutCallback))
		for _, header := range []map[string]string{
			{"Sec-Fetch-Site": "cross-site"},
			{"Sec-Fetch-Site": "same-site"},
			{"Origin": "http://evil.example"},
		} {
			resp := confirmSignOut(t, e, browser, body, header)
			if b := readBody(t, resp); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" {
				t.Errorf("%v: status %d, Location %q; want 403:\n%s", header, resp.StatusCode, resp.Header.Get("Location"), b)
			}
			if !e.hasSession(t, browser, c) {
				t.Fatalf("%v: a cross-origin confirmation signed the browser out", header)
			}
		}
		// GET is not a confirmation.
		resp, _ := get(t, browser, e.issuer+"/session/end/confirm?client_id="+c.app.ID)
		if resp.StatusCode != http.StatusMethodNotAllowed || !e.hasSession(t, browser, c) {
			t.Errorf("GET of the confirmation: status %d; want 405 and still signed in", resp.StatusCode)
		}
	})

	t.Run("without a session nothing to ask", func(t *testing.T) {
		resp, _ := get(t, testserver.Browser(t), endURL("client_id", other.app.ID, "post_logout_redirect_uri", "http://localhost:4000/bye"))
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "http://localhost:4000/bye" {
			t.Errorf("status %d, Location %q; want 302 to the logout callback", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("POST", func(t *testing.T) {
		browser, hint := signIn(t)
		resp, err := browser.PostForm(e.issuer+"/session/end", url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {logoutCallback}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != logoutCallback {
			t.Errorf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// sameOrigin marks a form post from GenAuth's own page.
var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin"}

// confirmationPage tells the sign-out confirmation page by its form.
func confirmationPage(resp *http.Response, body string) bool {
	return resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") &&
		strings.Contains(body, `action="/oidc/session/end/confirm"`)
}

// confirmSignOut submits the confirmation page's form with header.
func confirmSignOut(t *testing.T, e *env, browser *http.Client, page string, header map[string]string) *http.Response {
	t.Helper()
	action, fields := testserver.HTMLForm(t, page)
	return postForm(t, browser, e.srv.URL+action, fields, header)
}

func postForm(t *testing.T, browser *http.Client, target string, form url.Values, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// signedOutPage tells the signed-out page by its sign-in-again link, which
// no other page has, rather than by its (translated) words.
func signedOutPage(resp *http.Response, body string) bool {
	return strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") && strings.Contains(body, `class="actions"`) && strings.Contains(body, `href="/login`)
}

func sessionCookie(t *testing.T, browser *http.Client, base string) *http.Cookie {
	t.Helper()
	for _, ck := range browser.Jar.Cookies(mustURL(t, base)) {
		if ck.Name == sessions.CookieName {
			return &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	t.Fatal("no session cookie")
	return nil
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
