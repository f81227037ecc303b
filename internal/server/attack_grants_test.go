package server_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestWithdrawnConsentEndsTokens replays issue 13's attack on consent: a
// third-party application keeps reading the user's profile and refreshing
// after the user withdrew its access on the hosted home page. Withdrawing
// must end every token the application holds for the user, at once, and
// leave the browser signed in.
func TestWithdrawnConsentEndsTokens(t *testing.T) {
	srv := testserver.Start(t)
	const password = "a long enough password"
	user := srv.CreateUser(t, "grace", password)
	app, secret := srv.CreateApp(t, apps.CreateParams{Name: "Photo Printer", RequireConsent: true,
		RedirectURIs: []string{hostileCallback}})
	cfg := &oauth2.Config{
		ClientID: app.ID, ClientSecret: secret, RedirectURL: hostileCallback,
		Scopes: []string{"openid", "profile", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: srv.URL + "/oidc/auth", TokenURL: srv.URL + "/oidc/token",
			AuthStyle: oauth2.AuthStyleInParams},
	}
	browser := testserver.Browser(t)
	// code runs the authorization request in the browser, approving the
	// consent page when it comes, and returns the code and its verifier.
	code := func(t *testing.T) (string, string) {
		t.Helper()
		verifier := oauth2.GenerateVerifier()
		l := srv.Follow(t, browser, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "grace", password)
		if l.Location == nil && strings.Contains(l.Body, `name="consent"`) {
			l = srv.Consent(t, browser, l, "approve")
		}
		if l.Location == nil || l.Location.Query().Get("code") == "" {
			t.Fatalf("authorize: status %d, location %v:\n%s", l.Status, l.Location, l.Body)
		}
		return l.Location.Query().Get("code"), verifier
	}
	c, v := code(t)
	tok, err := cfg.Exchange(t.Context(), c, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	// The application works: userinfo answers and the refresh token rotates.
	if status, body := userinfo(t, srv, tok.AccessToken); status != http.StatusOK {
		t.Fatalf("userinfo before the withdrawal: %d %s", status, body)
	}
	fresh, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh before the withdrawal: %v", err)
	}
	// A code the application has not redeemed yet (no consent page: it is remembered).
	pending, pendingVerifier := code(t)

	// The user withdraws the application's access on the home page.
	home := page(t, browser, srv.URL+"/")
	if !strings.Contains(home, "Photo Printer") {
		t.Fatalf("the home page does not list the application:\n%s", home)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/consents/revoke", strings.NewReader(url.Values{"client_id": {app.ID}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", formCT)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc, _ := resp.Location(); resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Path != "/" {
		t.Fatalf("POST /consents/revoke: %d to %v; want 303 to the home page", resp.StatusCode, loc)
	}

	// Every token is dead at once: the access tokens, both refresh tokens,
	// and the code that was not redeemed yet.
	for _, at := range []string{tok.AccessToken, fresh.AccessToken} {
		if status, body := userinfo(t, srv, at); status != http.StatusUnauthorized {
			t.Errorf("userinfo after the withdrawal: %d %s; want 401", status, body)
		}
	}
	for _, rt := range []string{tok.RefreshToken, fresh.RefreshToken} {
		if _, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: rt}).Token(); !isInvalidGrant(err) {
			t.Errorf("refresh after the withdrawal: %v; want invalid_grant", err)
		}
	}
	if _, err := cfg.Exchange(t.Context(), pending, oauth2.VerifierOption(pendingVerifier)); !isInvalidGrant(err) {
		t.Errorf("redeeming a code issued before the withdrawal: %v; want invalid_grant", err)
	}
	for _, v := range []string{tok.AccessToken, fresh.AccessToken, fresh.RefreshToken} {
		if active := introspectActive(t, srv, app.ID, secret, v); active {
			t.Errorf("a token introspects as active after the withdrawal")
		}
	}

	// The browser stays signed in, and the application must ask again.
	if home := page(t, browser, srv.URL+"/"); !strings.Contains(home, `action="/logout"`) || strings.Contains(home, "Photo Printer") {
		t.Errorf("after the withdrawal the home page should show the user signed in, without the application:\n%s", home)
	}
	if l := srv.Follow(t, browser, cfg.AuthCodeURL("again"), "", ""); l.Location != nil || !strings.Contains(l.Body, `name="consent"`) {
		t.Errorf("authorize after the withdrawal: %d to %v; want the consent page", l.Status, l.Location)
	}

	events, err := srv.Store.ListAuditEvents(t.Context(), store.AuditQuery{Type: model.AuditConsentRevoke})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].UserID != user.ID || events[0].ClientID != app.ID || events[0].Detail != "3 tokens revoked" {
		t.Errorf("audit events %+v; want one consent.revoke for the user and the application, 3 tokens revoked", events)
	}
}

// userinfo calls /oidc/me with an access token.
func userinfo(t *testing.T, srv *testserver.Server, accessToken string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/oidc/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// introspectActive asks /oidc/token/introspection whether tok is active.
func introspectActive(t *testing.T, srv *testserver.Server, clientID, secret, tok string) bool {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"/oidc/token/introspection", url.Values{"token": {tok},
		"client_id": {clientID}, "client_secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Active bool `json:"active"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("introspection: %d %v", resp.StatusCode, err)
	}
	return got.Active
}

// page GETs a hosted page with the browser and returns its body.
func page(t *testing.T, browser *http.Client, target string) string {
	t.Helper()
	resp, err := browser.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", target, resp.StatusCode)
	}
	return string(body)
}

func isInvalidGrant(err error) bool {
	re, ok := errors.AsType[*oauth2.RetrieveError](err)
	return ok && re.ErrorCode == "invalid_grant"
}
