package oidc_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

const (
	loa1 = "urn:genauth:loa:1"
	loa2 = "urn:genauth:loa:2"
)

// enrollTOTP gives alice an authenticator app and returns its secret; the
// clock moves on a step, so that the enrollment's code is not replayed.
func (e *env) enrollTOTP(t *testing.T) string {
	t.Helper()
	setup, err := e.srv.MFA.NewTOTP(userName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.MFA.EnrollTOTP(t.Context(), e.user.ID, setup.Secret, e.totp(t, setup.Secret)); err != nil {
		t.Fatal(err)
	}
	e.srv.Clock.Advance(mfa.Period)
	return setup.Secret
}

func (e *env) totp(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, e.srv.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// postPage posts form to the server's page at path from its own origin, as
// the page's form does, and follows the answer.
func (e *env) postPage(t *testing.T, browser *http.Client, path string, form url.Values) *testserver.Landing {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := resp.Location()
	resp.Body.Close()
	if err != nil {
		t.Fatalf("POST %s: status %d, no redirect", path, resp.StatusCode)
	}
	if !strings.HasPrefix(loc.String(), e.srv.URL+"/") {
		return &testserver.Landing{Location: loc, Status: resp.StatusCode}
	}
	return e.srv.Follow(t, browser, loc.String(), userName, userPassword)
}

// exchange redeems the code of an authorization response with PKCE and
// returns the verified id token.
func (e *env) exchange(t *testing.T, c client, cfg *oauth2.Config, loc *url.URL, verifier string) (*oauth2.Token, *oidc.IDToken) {
	t.Helper()
	q := callbackParams(t, loc, "query")
	if q.Get("error") != "" {
		t.Fatalf("authorize: %v", q)
	}
	tok, err := cfg.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idTok, err := e.verifier(e.provider, c).Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("verify id token: %v", err)
	}
	return tok, idTok
}

type acrClaims struct {
	ACR string   `json:"acr"`
	AMR []string `json:"amr"`
}

func claimsOf(t *testing.T, tok *oidc.IDToken) acrClaims {
	t.Helper()
	var c acrClaims
	if err := tok.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

var challengeRE = regexp.MustCompile(`name="code"`)

// TestStepUpACR is acr_values end to end with x/oauth2 and go-oidc: a
// one-factor session asked for urn:genauth:loa:2 proves the second factor
// it has, and the id token (and the one a refresh brings) says loa:2 with
// amr "mfa".
func TestStepUpACR(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	// One factor: alice signs in before she has a second.
	_, first, _ := e.signedIn(t, e.browser, c, "openid", "n-1")
	if got := claimsOf(t, first); got.ACR != loa1 || slices.Contains(got.AMR, "mfa") {
		t.Fatalf("one-factor sign-in: acr %q amr %v", got.ACR, got.AMR)
	}
	secret := e.enrollTOTP(t)

	// prompt=none cannot step up.
	l := e.srv.Follow(t, e.browser, e.authURL(c, "acr_values", loa2, "prompt", "none"), "", "")
	e.wantError(t, callbackParams(t, l.Location, "query"), "interaction_required", e.issuer)

	cfg := e.config(c, "openid offline_access")
	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-2"),
		oauth2.SetAuthURLParam("acr_values", loa2))
	l = e.srv.Follow(t, e.browser, authURL, "", "")
	if l.Location != nil || l.Status != http.StatusOK || !challengeRE.MatchString(l.Body) {
		t.Fatalf("acr_values=loa:2 with a one-factor session: status %d, location %v; want the challenge page", l.Status, l.Location)
	}
	l = e.postPage(t, e.browser, "/login/mfa", url.Values{"method": {"totp"}, "code": {e.totp(t, secret)}})
	tok, idTok := e.exchange(t, c, cfg, l.Location, verifier)
	got := claimsOf(t, idTok)
	if got.ACR != loa2 || !slices.Contains(got.AMR, "mfa") || !slices.Contains(got.AMR, "otp") {
		t.Errorf("after the step-up: acr %q amr %v; want %s with otp and mfa", got.ACR, got.AMR, loa2)
	}
	if idTok.Subject != first.Subject {
		t.Errorf("the step-up signed in %s, not alice", idTok.Subject)
	}

	// A refresh says the same.
	refreshed, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := refreshed.Extra("id_token").(string)
	rt, err := e.verifier(e.provider, c).Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := claimsOf(t, rt); got.ACR != loa2 {
		t.Errorf("refreshed id token: acr %q, want %s", got.ACR, loa2)
	}

	// The raised session now meets loa:2 without asking, and phr, which no
	// passkey can meet here, is answered with what was achieved.
	for _, acr := range []string{loa2, "phr"} {
		_, idTok := e.exchange(t, c, cfg, e.srv.Authorize(t, e.browser, cfg.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier),
			oidc.Nonce("n-3"), oauth2.SetAuthURLParam("acr_values", acr)), "", ""), verifier)
		if got := claimsOf(t, idTok); got.ACR != loa2 {
			t.Errorf("acr_values=%s with a two-factor session: acr %q, want %s", acr, got.ACR, loa2)
		}
	}
}

// TestStepUpRequiredPolicy: a single sign-on session from an application
// without MFA reaches one whose policy requires it only through the second
// factor; a user without one enrolls first.
func TestStepUpRequiredPolicy(t *testing.T) {
	t.Parallel()
	e := start(t)
	open := e.newApp(t, apps.CreateParams{})
	strict := e.newApp(t, apps.CreateParams{MFAPolicy: model.MFARequired})
	e.signedIn(t, e.browser, open, "openid", "n-1")
	// Other browsers: one-factor sessions that will outlive the enrollment.
	other, lingering := testserver.Browser(t), testserver.Browser(t)
	e.signedIn(t, other, open, "openid", "n-2")
	e.signedIn(t, lingering, open, "openid", "n-3")

	// No factor yet: enrollment, as the required policy asks at sign-in.
	l := e.srv.Follow(t, e.browser, e.authURL(strict), "", "")
	if l.Location != nil || !secretRE.MatchString(l.Body) {
		t.Fatalf("one-factor session at a required application: status %d, location %v; want enrollment:\n%s", l.Status, l.Location, l.Body)
	}
	secret := secretRE.FindStringSubmatch(l.Body)[1]
	enroll, err := http.NewRequest(http.MethodPost, e.srv.URL+"/login/mfa/enroll",
		strings.NewReader(url.Values{"code": {e.totp(t, secret)}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	enroll.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	enroll.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := e.browser.Do(enroll)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("enrollment: status %d, want the recovery codes page", resp.StatusCode)
	}
	l = e.srv.Follow(t, e.browser, e.authURL(strict), "", "")
	q := callbackParams(t, l.Location, "query")
	if q.Get("code") == "" {
		t.Fatalf("after enrolling: %v", q)
	}

	// The other browser's one-factor session, now that alice has a factor.
	e.srv.Clock.Advance(mfa.Period)
	l = e.srv.Follow(t, other, e.authURL(strict), "", "")
	if l.Location != nil || !challengeRE.MatchString(l.Body) {
		t.Fatalf("one-factor session of an enrolled user at a required application: status %d, location %v", l.Status, l.Location)
	}
	l = e.postPage(t, other, "/login/mfa", url.Values{"method": {"totp"}, "code": {e.totp(t, secret)}})
	if q := callbackParams(t, l.Location, "query"); q.Get("code") == "" {
		t.Fatalf("after the step-up: %v", q)
	}
	// At the open application a one-factor session stands.
	if q := callbackParams(t, e.srv.Authorize(t, lingering, e.authURL(open), "", ""), "query"); q.Get("code") == "" {
		t.Errorf("one-factor session at an application without a policy: %v", q)
	}
	third := testserver.Browser(t)
	idTok := e.signedInTwoFactors(t, third, open, secret)
	if got := claimsOf(t, idTok); got.ACR != loa2 {
		t.Errorf("sign-in of an enrolled user: acr %q, want %s", got.ACR, loa2)
	}
}

var secretRE = regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`)

// signedInTwoFactors is signedIn for a user with an authenticator app: the
// password, then the code.
func (e *env) signedInTwoFactors(t *testing.T, browser *http.Client, c client, secret string) *oidc.IDToken {
	t.Helper()
	cfg := e.config(c, "openid")
	verifier := oauth2.GenerateVerifier()
	l := e.srv.Follow(t, browser, cfg.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n")), userName, userPassword)
	if l.Location != nil || !challengeRE.MatchString(l.Body) {
		t.Fatalf("password sign-in of an enrolled user: status %d, location %v; want the challenge", l.Status, l.Location)
	}
	e.srv.Clock.Advance(mfa.Period)
	l = e.postPage(t, browser, "/login/mfa", url.Values{"method": {"totp"}, "code": {e.totp(t, secret)}})
	_, idTok := e.exchange(t, c, cfg, l.Location, verifier)
	return idTok
}

// TestReloginAsksSecondFactor: max_age and prompt=login force a new sign-in,
// and that sign-in asks for the second factor again.
func TestReloginAsksSecondFactor(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	secret := e.enrollTOTP(t)
	e.signedInTwoFactors(t, e.browser, c, secret)
	e.srv.Clock.Advance(2 * mfa.Period)
	for _, force := range [][]string{{"max_age", "0"}, {"prompt", "login"}} {
		t.Run(force[0], func(t *testing.T) {
			l := e.srv.Follow(t, e.browser, e.authURL(c, force...), userName, userPassword)
			if l.Location != nil || !challengeRE.MatchString(l.Body) {
				t.Fatalf("%s=%s: status %d, location %v; want the second factor asked again", force[0], force[1], l.Status, l.Location)
			}
			e.srv.Clock.Advance(mfa.Period)
			l = e.postPage(t, e.browser, "/login/mfa", url.Values{"method": {"totp"}, "code": {e.totp(t, secret)}})
			if q := callbackParams(t, l.Location, "query"); q.Get("code") == "" {
				t.Fatalf("after the code: %v", q)
			}
		})
	}
}
