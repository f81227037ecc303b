package oidc_test

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestImplicitAndHybrid runs each response type that returns an id token
// from the authorization endpoint, in its default mode (the fragment).
func TestImplicitAndHybrid(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	for _, tc := range []struct {
		responseType     string
		code, token      bool
		wantAt, wantCode bool // at_hash, c_hash
	}{
		{responseType: "id_token"},
		{responseType: "id_token token", token: true, wantAt: true},
		{responseType: "token id_token", token: true, wantAt: true}, // word order does not matter
		{responseType: "code id_token", code: true, wantCode: true},
	} {
		t.Run(tc.responseType, func(t *testing.T) {
			loc := e.srv.Authorize(t, e.browser, e.authURL(c, "response_type", tc.responseType, "scope", "openid email", "nonce", "n-"+tc.responseType), userName, userPassword)
			q := callbackParams(t, loc, "fragment")
			if q.Get("error") != "" {
				t.Fatalf("%s: %s", q.Get("error"), q.Get("error_description"))
			}
			if q.Get("state") != "st-1" || q.Get("iss") != e.issuer {
				t.Errorf("state %q iss %q; want st-1 and %s", q.Get("state"), q.Get("iss"), e.issuer)
			}
			if q.Has("code") != tc.code || q.Has("access_token") != tc.token {
				t.Errorf("code present %v, access_token present %v; want %v, %v", q.Has("code"), q.Has("access_token"), tc.code, tc.token)
			}
			raw := q.Get("id_token")
			idTok, err := e.verifier(e.provider, c).Verify(t.Context(), raw)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if idTok.Nonce != "n-"+tc.responseType {
				t.Errorf("nonce %q", idTok.Nonce)
			}
			_, m := payload(t, raw)
			if got, _ := m["at_hash"].(string); (got != "") != tc.wantAt || (tc.wantAt && got != halfHash(q.Get("access_token"))) {
				t.Errorf("at_hash = %q; want present %v and the hash of the access token", got, tc.wantAt)
			}
			if tc.wantAt {
				if err := idTok.VerifyAccessToken(q.Get("access_token")); err != nil {
					t.Errorf("go-oidc at_hash check: %v", err)
				}
				if q.Get("token_type") != "Bearer" || q.Get("expires_in") == "" {
					t.Errorf("token_type %q expires_in %q", q.Get("token_type"), q.Get("expires_in"))
				}
				info, err := e.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: q.Get("access_token"), TokenType: "Bearer"}))
				if err != nil || info.Subject != e.user.ID {
					t.Errorf("userinfo with the implicit access token: %v, %v", info, err)
				}
			}
			if got, _ := m["c_hash"].(string); (got != "") != tc.wantCode || (tc.wantCode && got != halfHash(q.Get("code"))) {
				t.Errorf("c_hash = %q; want present %v and the hash of the code", got, tc.wantCode)
			}
			if tc.code {
				// The hybrid flow's code redeems for tokens and another id token, without PKCE (a confidential client).
				tok, err := e.config(c, "").Exchange(t.Context(), q.Get("code"))
				if err != nil {
					t.Fatalf("exchange: %v", err)
				}
				second, _ := tok.Extra("id_token").(string)
				idTok2, err := e.verifier(e.provider, c).Verify(t.Context(), second)
				if err != nil {
					t.Fatal(err)
				}
				if idTok2.Subject != idTok.Subject || idTok2.Nonce != idTok.Nonce {
					t.Errorf("token endpoint id token sub %q nonce %q; want %q %q", idTok2.Subject, idTok2.Nonce, idTok.Subject, idTok.Nonce)
				}
				if err := idTok2.VerifyAccessToken(tok.AccessToken); err != nil {
					t.Errorf("at_hash: %v", err)
				}
			}
		})
	}
}

func TestResponseModes(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	t.Run("code in the fragment", func(t *testing.T) {
		loc := e.srv.Authorize(t, e.browser, e.authURL(c, "response_mode", "fragment"), userName, userPassword)
		if q := callbackParams(t, loc, "fragment"); q.Get("code") == "" || q.Get("iss") != e.issuer {
			t.Errorf("fragment %v; want a code and iss", q)
		}
	})
	t.Run("code in the query", func(t *testing.T) {
		loc := e.srv.Authorize(t, e.browser, e.authURL(c, "response_mode", "query"), userName, userPassword)
		if q := callbackParams(t, loc, "query"); q.Get("code") == "" || q.Get("iss") != e.issuer {
			t.Errorf("query %v; want a code and iss", q)
		}
	})
	for _, tc := range []struct {
		responseType string
		want         []string
	}{
		{"code", []string{"code", "iss", "state"}},
		{"code id_token", []string{"code", "id_token", "iss", "state"}},
		{"id_token token", []string{"access_token", "expires_in", "id_token", "iss", "scope", "state", "token_type"}},
	} {
		t.Run("form_post "+tc.responseType, func(t *testing.T) {
			l := e.srv.Follow(t, e.browser, e.authURL(c, "response_type", tc.responseType, "response_mode", "form_post"), userName, userPassword)
			if l.Location != nil || l.Status != http.StatusOK {
				t.Fatalf("status %d, Location %v; want the form_post page", l.Status, l.Location)
			}
			if ct := l.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q", ct)
			}
			if l.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q; want no-store", l.Header.Get("Cache-Control"))
			}
			csp := l.Header.Get("Content-Security-Policy")
			m := regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9_-]+)'`).FindStringSubmatch(csp)
			if m == nil || !strings.Contains(csp, "default-src 'none'") {
				t.Fatalf("CSP %q; want default-src 'none' and a script nonce", csp)
			}
			if !strings.Contains(l.Body, `<script nonce="`+m[1]+`">`) {
				t.Errorf("the page's script does not carry the CSP nonce %s:\n%s", m[1], l.Body)
			}
			action, fields := testserver.HTMLForm(t, l.Body)
			if action != callback {
				t.Errorf("form action %q; want the redirect URI %s", action, callback)
			}
			if got := strings.Join(slices.Sorted(maps.Keys(fields)), " "); got != strings.Join(tc.want, " ") {
				t.Errorf("hidden inputs %s; want %s", got, strings.Join(tc.want, " "))
			}
			if fields.Get("iss") != e.issuer || fields.Get("state") != "st-1" {
				t.Errorf("iss %q state %q", fields.Get("iss"), fields.Get("state"))
			}
			if raw := fields.Get("id_token"); raw != "" {
				if _, err := e.verifier(e.provider, c).Verify(t.Context(), raw); err != nil {
					t.Errorf("posted id token: %v", err)
				}
			}
		})
	}
	t.Run("form_post error", func(t *testing.T) {
		l := e.srv.Follow(t, e.browser, e.authURL(c, "response_type", "id_token", "response_mode", "form_post", "nonce", ""), userName, userPassword)
		action, fields := testserver.HTMLForm(t, l.Body)
		if action != callback {
			t.Errorf("form action %q", action)
		}
		e.wantError(t, fields, "invalid_request", e.issuer)
	})
	t.Run("go-oidc nonce option", func(t *testing.T) {
		// The nonce go-oidc adds survives to the id token of the implicit flow.
		cfg := e.config(c, "openid")
		u := cfg.AuthCodeURL("st-1", oidc.Nonce("abc"), oauth2.SetAuthURLParam("response_type", "id_token"))
		q := callbackParams(t, e.srv.Authorize(t, e.browser, u, userName, userPassword), "fragment")
		idTok, err := e.verifier(e.provider, c).Verify(t.Context(), q.Get("id_token"))
		if err != nil || idTok.Nonce != "abc" {
			t.Errorf("id token %v, %v; want nonce abc", idTok, err)
		}
	})
}
