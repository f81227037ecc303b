package oidc_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// wantConsentPage checks that l is the consent page for scope and returns it.
func (e *env) wantConsentPage(t *testing.T, l *testserver.Landing, scope string) *testserver.Landing {
	t.Helper()
	if l.Location != nil {
		t.Fatalf("redirected to %s; want the consent page", l.Location)
	}
	if l.Status != http.StatusOK || !strings.HasPrefix(l.Header.Get("Content-Type"), "text/html") || l.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, Content-Type %q, Cache-Control %q; want an uncached 200 HTML page", l.Status, l.Header.Get("Content-Type"), l.Header.Get("Cache-Control"))
	}
	items := regexp.MustCompile(`(?s)<ul class="scopes">(.*?)</ul>`).FindStringSubmatch(l.Body)
	if items == nil || strings.Count(items[1], "<li>") != len(strings.Fields(scope)) {
		t.Errorf("the page does not list the %d scopes of %q:\n%s", len(strings.Fields(scope)), scope, l.Body)
	}
	action, fields := testserver.HTMLForm(t, l.Body)
	if action != "/oidc/auth/consent" {
		t.Errorf("form action %q; want /oidc/auth/consent", action)
	}
	if fields.Get("scope") != scope || fields.Get("state") != "st-1" || fields.Get("redirect_uri") != callback {
		t.Errorf("hidden fields %v do not carry the authorization request", fields)
	}
	if !strings.Contains(l.Body, `value="approve"`) || !strings.Contains(l.Body, `value="deny"`) {
		t.Error("the page has no approve and deny buttons")
	}
	return l
}

// wantCode checks that l redirected to the callback with a code.
func (e *env) wantCode(t *testing.T, l *testserver.Landing) {
	t.Helper()
	if l.Location == nil {
		t.Fatalf("status %d, a page instead of a redirect:\n%s", l.Status, l.Body)
	}
	if q := callbackParams(t, l.Location, "query"); q.Get("code") == "" || q.Get("state") != "st-1" || q.Get("iss") != e.issuer {
		t.Fatalf("callback %v; want a code, state and iss", q)
	}
}

func TestConsent(t *testing.T) {
	t.Parallel()
	e := start(t)
	third := e.newApp(t, apps.CreateParams{Name: "Third Party", RequireConsent: true})

	// First authorization: the page is shown, approving gives a code that redeems.
	l := e.wantConsentPage(t, e.srv.Follow(t, e.browser, e.authURL(third, "scope", "openid email"), userName, userPassword), "openid email")
	approved := e.srv.Consent(t, e.browser, l, "approve")
	e.wantCode(t, approved)
	tok, err := e.config(third, "").Exchange(t.Context(), approved.Location.Query().Get("code"))
	if err != nil || tok.Extra("id_token") == nil {
		t.Fatalf("exchange after consent: %v, %v", tok, err)
	}

	// Remembered: the same or fewer scopes skip the page, also with prompt=none.
	e.wantCode(t, e.srv.Follow(t, e.browser, e.authURL(third, "scope", "openid email"), "", ""))
	e.wantCode(t, e.srv.Follow(t, e.browser, e.authURL(third, "scope", "openid"), "", ""))
	e.wantCode(t, e.srv.Follow(t, e.browser, e.authURL(third, "scope", "openid email", "prompt", "none"), "", ""))

	// Wider scopes ask again; prompt=none then fails with consent_required.
	loc := e.srv.Authorize(t, e.browser, e.authURL(third, "scope", "openid email phone", "prompt", "none"), "", "")
	e.wantError(t, callbackParams(t, loc, "query"), "consent_required", e.issuer)
	l = e.wantConsentPage(t, e.srv.Follow(t, e.browser, e.authURL(third, "scope", "openid email phone"), "", ""), "openid email phone")

	// Deny: access_denied at the redirect URI, and nothing is remembered.
	denied := e.srv.Consent(t, e.browser, l, "deny")
	if denied.Location == nil {
		t.Fatalf("deny: status %d, no redirect", denied.Status)
	}
	e.wantError(t, callbackParams(t, denied.Location, "query"), "access_denied", e.issuer)
	e.wantConsentPage(t, e.srv.Follow(t, e.browser, e.authURL(third, "scope", "openid email phone"), "", ""), "openid email phone")

	// Withdrawing on the home page makes it ask again.
	_, home := get(t, e.browser, e.srv.URL+"/")
	if !strings.Contains(home, "Third Party") || !strings.Contains(home, `action="/consents/revoke"`) || !strings.Contains(home, `value="`+third.app.ID+`"`) {
		t.Fatalf("the home page does not offer to withdraw the consent:\n%s", home)
	}
	resp, err := e.browser.PostForm(e.srv.URL+"/consents/revoke", url.Values{"client_id": {third.app.ID}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: status %d", resp.StatusCode)
	}
	if _, home = get(t, e.browser, e.srv.URL+"/"); strings.Contains(home, "Third Party") {
		t.Error("the withdrawn application is still listed on the home page")
	}
	e.wantConsentPage(t, e.srv.Follow(t, e.browser, e.authURL(third, "scope", "openid email"), "", ""), "openid email")
	loc = e.srv.Authorize(t, e.browser, e.authURL(third, "scope", "openid email", "prompt", "none"), "", "")
	e.wantError(t, callbackParams(t, loc, "query"), "consent_required", e.issuer)
}

func TestConsentPrompt(t *testing.T) {
	t.Parallel()
	e := start(t)
	first := e.newApp(t, apps.CreateParams{Name: "First Party"})
	// A first-party application skips the page...
	e.wantCode(t, e.srv.Follow(t, e.browser, e.authURL(first), userName, userPassword))
	// ...unless prompt=consent forces it, every time.
	for range 2 {
		l := e.wantConsentPage(t, e.srv.Follow(t, e.browser, e.authURL(first, "prompt", "consent"), "", ""), "openid email")
		e.wantCode(t, e.srv.Consent(t, e.browser, l, "approve"))
	}
}

func TestConsentCrossOrigin(t *testing.T) {
	t.Parallel()
	e := start(t)
	third := e.newApp(t, apps.CreateParams{RequireConsent: true})
	l := e.wantConsentPage(t, e.srv.Follow(t, e.browser, e.authURL(third), userName, userPassword), "openid email")
	_, fields := testserver.HTMLForm(t, l.Body)
	fields.Set("consent", "approve")
	for _, site := range []string{"cross-site", "same-site"} {
		req, err := http.NewRequest(http.MethodPost, e.issuer+"/auth/consent", strings.NewReader(fields.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", site)
		resp, err := e.browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" {
			t.Errorf("%s consent: status %d, Location %q; want 403 and no redirect", site, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// An Origin other than the server's is refused too.
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/auth/consent", strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	resp, err := e.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("consent from Origin http://evil.example: status %d; want 403", resp.StatusCode)
	}
	// Nothing was remembered.
	e.wantConsentPage(t, e.srv.Follow(t, e.browser, e.authURL(third), "", ""), "openid email")
	// GET is not a way around it.
	resp, _ = get(t, e.browser, e.issuer+"/auth/consent?"+fields.Encode())
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Location") != "" {
		t.Errorf("GET consent: status %d, Location %q; want 405", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestConsentBehindProxy posts the consent as a browser that sends Origin
// but not Sec-Fetch-Site does, through a proxy that rewrites Host: the
// public URL's origin is the server's own.
func TestConsentBehindProxy(t *testing.T) {
	t.Parallel()
	e := start(t)
	third := e.newApp(t, apps.CreateParams{RequireConsent: true})
	l := e.wantConsentPage(t, e.srv.Follow(t, e.browser, e.authURL(third), userName, userPassword), "openid email")
	_, fields := testserver.HTMLForm(t, l.Body)
	fields.Set("consent", "approve")
	req, err := http.NewRequest(http.MethodPost, e.issuer+"/auth/consent", strings.NewReader(fields.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "genauth.internal:8080"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	// The browser sends its cookie for the public host; a jar would look it up by Host.
	req.AddCookie(sessionCookie(t, e.browser, e.srv.URL))
	resp, err := testserver.Browser(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("status %d, no redirect; want the callback with a code", resp.StatusCode)
	}
	if q := callbackParams(t, loc, "query"); q.Get("code") == "" {
		t.Errorf("callback %v; want a code", q)
	}
}

func TestMaxAge(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	e.wantCode(t, e.srv.Follow(t, e.browser, e.authURL(c), userName, userPassword))
	signedInAt := e.srv.Clock.Now()
	e.srv.Clock.Advance(2 * time.Minute)

	// A session younger than max_age is enough; an older one is not.
	e.wantCode(t, e.srv.Follow(t, e.browser, e.authURL(c, "max_age", "300"), "", ""))
	loc := e.srv.Authorize(t, e.browser, e.authURL(c, "max_age", "60", "prompt", "none"), "", "")
	e.wantError(t, callbackParams(t, loc, "query"), "login_required", e.issuer)

	for _, maxAge := range []string{"60", "0"} {
		t.Run("max_age="+maxAge, func(t *testing.T) {
			resp, _ := get(t, e.browser, e.authURL(c, "max_age", maxAge))
			loginURL, err := resp.Location()
			if err != nil || loginURL.Path != "/login" {
				t.Fatalf("status %d, Location %v; want the login page", resp.StatusCode, loginURL)
			}
			// Sign in, and come back a moment later, as a real browser does.
			resp, err = e.browser.PostForm(e.srv.URL+"/login", url.Values{"username": {userName}, "password": {userPassword}, "return_to": {loginURL.Query().Get("return_to")}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			back, err := resp.Location()
			if err != nil || back.Path != "/oidc/auth" {
				t.Fatalf("after login: status %d, Location %v; want back to /oidc/auth", resp.StatusCode, back)
			}
			reauthAt := e.srv.Clock.Now()
			e.srv.Clock.Advance(300 * time.Millisecond)
			l := e.srv.Follow(t, e.browser, back.String(), "", "")
			e.wantCode(t, l)
			tok, err := e.config(c, "").Exchange(t.Context(), l.Location.Query().Get("code"))
			if err != nil {
				t.Fatal(err)
			}
			_, m := payload(t, tok.Extra("id_token").(string))
			if m["auth_time"] != float64(reauthAt.Unix()) || reauthAt.Unix() == signedInAt.Unix() {
				t.Errorf("auth_time %v; want the new sign-in %d", m["auth_time"], reauthAt.Unix())
			}
			e.srv.Clock.Advance(2 * time.Minute)
		})
	}
}

// TestConsentAccumulates: approving a narrower request later does not take
// back what the user allowed before.
func TestConsentAccumulates(t *testing.T) {
	t.Parallel()
	e := start(t)
	third := e.newApp(t, apps.CreateParams{Name: "Third Party", RequireConsent: true})
	l := e.wantConsentPage(t, e.srv.Follow(t, e.browser, e.authURL(third, "scope", "openid email"), userName, userPassword), "openid email")
	e.wantCode(t, e.srv.Consent(t, e.browser, l, "approve"))
	l = e.wantConsentPage(t, e.srv.Follow(t, e.browser, e.authURL(third, "scope", "openid", "prompt", "consent"), "", ""), "openid")
	e.wantCode(t, e.srv.Consent(t, e.browser, l, "approve"))
	e.wantCode(t, e.srv.Follow(t, e.browser, e.authURL(third, "scope", "openid email", "prompt", "none"), "", ""))
}
