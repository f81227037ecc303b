package authentication_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
)

// countingTransport counts the introspection requests it carries.
type countingTransport struct{ introspections atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/token/introspection") {
		c.introspections.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestE2EVerifyAccessToken checks JWT access tokens offline against the
// real server's JWKS: the answer equals introspection's; tampered, foreign,
// expired tokens and id tokens are refused with ErrInvalidAccessToken.
func TestE2EVerifyAccessToken(t *testing.T) {
	e := newE2E(t, authentication.ProtocolOIDC, authentication.AuthClientSecretPost) // an OIDC app: JWT access tokens
	ctx := context.Background()
	client, err := authentication.NewClient(authentication.Options{AppID: e.app.ID, AppSecret: e.secret, AppHost: e.srv.URL,
		Protocol: authentication.ProtocolOIDC, RedirectURI: e2eCallback, Now: e.srv.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := e.client.GetAccessTokenByCode(ctx, e.login(t, authentication.AuthorizeParams{}))
	if err != nil {
		t.Fatal(err)
	}
	if !authentication.IsJWT(ts.AccessToken) {
		t.Fatalf("access token %q is not a JWT", ts.AccessToken)
	}
	offline, err := client.VerifyAccessToken(ctx, ts.AccessToken)
	if err != nil {
		t.Fatalf("VerifyAccessToken: %v", err)
	}
	online, err := client.IntrospectToken(ctx, ts.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(online, offline, cmpopts.IgnoreFields(authentication.Introspection{}, "Raw")); diff != "" {
		t.Errorf("offline answer differs from introspection's (-online +offline):\n%s", diff)
	}

	other, otherSecret := e.srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{e2eCallback}, AccessTokenFormat: model.AccessTokenJWT})
	otherClient, err := authentication.NewClient(authentication.Options{AppID: other.ID, AppSecret: otherSecret, AppHost: e.srv.URL,
		Protocol: authentication.ProtocolOIDC})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := otherClient.SignInByUsernamePassword(ctx, e2eUser, e2ePassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(ts.AccessToken, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	for _, tt := range []struct {
		name   string
		token  string
		reason error
	}{
		{"tampered", tampered, authentication.ErrBadSignature},
		{"another app's", foreign.AccessToken, authentication.ErrWrongAudience},
		{"an id token", ts.IDToken, authentication.ErrMalformedToken},
		{"garbage", "a.b.c", authentication.ErrMalformedToken},
	} {
		_, err := client.VerifyAccessToken(ctx, tt.token)
		if !errors.Is(err, authentication.ErrInvalidAccessToken) || !errors.Is(err, tt.reason) || errors.Is(err, authentication.ErrInvalidIDToken) {
			t.Errorf("%s: %v; want ErrInvalidAccessToken and %v", tt.name, err, tt.reason)
		}
	}
	e.srv.Clock.Advance(model.DefaultAccessTokenTTL + authentication.DefaultLeeway)
	if _, err := client.VerifyAccessToken(ctx, ts.AccessToken); !errors.Is(err, authentication.ErrTokenExpired) {
		t.Errorf("expired: %v; want ErrTokenExpired", err)
	}
}

// TestE2ERequireTokenJWT runs the middleware on a JWT access token: checked
// offline without asking the server, so a revoked one still passes, unless
// WithRevocationCheck also introspects it.
func TestE2ERequireTokenJWT(t *testing.T) {
	e := newE2E(t, authentication.ProtocolOIDC, authentication.AuthClientSecretPost)
	ctx := context.Background()
	counter := &countingTransport{}
	client, err := authentication.NewClient(authentication.Options{AppID: e.app.ID, AppSecret: e.secret, AppHost: e.srv.URL,
		Protocol: authentication.ProtocolOIDC, RedirectURI: e2eCallback, Now: e.srv.Clock.Now, HTTPClient: &http.Client{Transport: counter}})
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := client.SignInByUsernamePassword(ctx, e2eUser, e2ePassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	offline := httptest.NewServer(client.RequireToken(echoSub, authentication.WithClock(e.srv.Clock.Now)))
	t.Cleanup(offline.Close)
	checked := httptest.NewServer(client.RequireToken(echoSub, authentication.WithClock(e.srv.Clock.Now), authentication.WithRevocationCheck()))
	t.Cleanup(checked.Close)
	get := func(url string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+tokens.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, url := range []string{offline.URL, checked.URL} {
		if code, body := get(url); code != 200 || body != e.user.ID {
			t.Fatalf("good token: %d %q", code, body)
		}
	}
	if n := counter.introspections.Load(); n != 1 {
		t.Errorf("%d introspections; want one, by the revocation-checking middleware only", n)
	}
	if _, err := client.RevokeToken(ctx, tokens.AccessToken); err != nil {
		t.Fatal(err)
	}
	e.srv.Clock.Advance(authentication.DefaultCacheTTL)
	if code, _ := get(offline.URL); code != 200 {
		t.Errorf("revoked token offline: %d; want 200, offline checks cannot see revocation", code)
	}
	if code, _ := get(checked.URL); code != http.StatusUnauthorized {
		t.Errorf("revoked token with WithRevocationCheck: %d; want 401", code)
	}
	e.srv.Clock.Advance(model.DefaultAccessTokenTTL + authentication.DefaultLeeway)
	if code, _ := get(offline.URL); code != http.StatusUnauthorized {
		t.Errorf("expired token offline: %d; want 401", code)
	}
}
