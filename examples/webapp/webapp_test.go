package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// tokenRecorder remembers the access and id tokens the app receives from
// GenAuth, so the test can check that sign-out revoked them. When swapIDToken
// is set it replaces the id token of the next answer, as an attacker
// replaying another login's id token would.
type tokenRecorder struct {
	mu          sync.Mutex
	tokens      []string
	idTokens    []string
	swapIDToken string
}

func (rec *tokenRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/token") || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var ts authentication.TokenSet
	if json.Unmarshal(body, &ts) == nil && ts.AccessToken != "" {
		rec.mu.Lock()
		rec.tokens = append(rec.tokens, ts.AccessToken)
		rec.idTokens = append(rec.idTokens, ts.IDToken)
		if swap := rec.swapIDToken; swap != "" {
			rec.swapIDToken = ""
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				rec.mu.Unlock()
				return nil, err
			}
			m["id_token"] = swap
			if body, err = json.Marshal(m); err != nil {
				rec.mu.Unlock()
				return nil, err
			}
		}
		rec.mu.Unlock()
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

type webapp struct {
	srv     *testserver.Server
	url     string
	sdk     *authentication.Client
	tokens  *tokenRecorder
	browser *http.Client
}

func startWebapp(t *testing.T, protocol string) *webapp {
	t.Helper()
	srv := testserver.Start(t)
	site := httptest.NewUnstartedServer(nil)
	base := "http://" + site.Listener.Addr().String()
	app, secret := srv.CreateApp(t, apps.CreateParams{
		Name:               "Example web app",
		RedirectURIs:       []string{base + "/callback"},
		LogoutRedirectURIs: []string{base + "/"},
	})
	rec := &tokenRecorder{}
	sdk, err := authentication.NewClient(authentication.Options{
		AppID: app.ID, AppSecret: secret, AppHost: srv.URL, RedirectURI: base + "/callback",
		Protocol: protocol, HTTPClient: &http.Client{Transport: rec}, Now: srv.Clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	handler, err := NewApp(Config{PublicURL: base, SDK: sdk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	site.Config.Handler = handler
	site.Start()
	t.Cleanup(site.Close)
	srv.CreateUser(t, "alice", "correct horse battery")
	return &webapp{srv: srv, url: base, sdk: sdk, tokens: rec, browser: testserver.Browser(t)}
}

// do sends a request with the browser and returns status, Location and body.
func (w *webapp) do(t *testing.T, method, target string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := w.browser.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

func TestWebappEndToEnd(t *testing.T) {
	w := startWebapp(t, authentication.ProtocolOAuth)

	status, _, body := w.do(t, http.MethodGet, w.url+"/")
	if status != 200 || !strings.Contains(body, `href="/login"`) {
		t.Fatalf("home before sign-in: %d %s", status, body)
	}

	// Sign in: the app sends the browser to GenAuth with PKCE...
	status, authURL, _ := w.do(t, http.MethodGet, w.url+"/login")
	if status != http.StatusFound || !strings.HasPrefix(authURL, w.srv.URL+"/oauth/auth?") {
		t.Fatalf("/login: %d to %q", status, authURL)
	}
	q := mustParse(t, authURL).Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" {
		t.Fatalf("authorize request lacks PKCE or state: %s", authURL)
	}
	// ...the user signs in on the hosted form and comes back with a code.
	callback := w.srv.Authorize(t, w.browser, authURL, "alice", "correct horse battery")
	if !strings.HasPrefix(callback.String(), w.url+"/callback?") {
		t.Fatalf("GenAuth sent the browser to %s", callback)
	}
	status, loc, body := w.do(t, http.MethodGet, callback.String())
	if status != http.StatusFound || loc != "/profile" {
		t.Fatalf("callback: %d to %q: %s", status, loc, body)
	}

	status, _, body = w.do(t, http.MethodGet, w.url+"/profile")
	if status != 200 || !strings.Contains(body, `<dd id="username">alice</dd>`) {
		t.Fatalf("profile: %d %s", status, body)
	}

	status, _, body = w.do(t, http.MethodGet, w.url+"/protected")
	if status != 200 || !strings.Contains(body, `<strong id="status">200 OK</strong>`) || !strings.Contains(body, `scope&#34;:&#34;user`) {
		t.Fatalf("protected API page: %d %s", status, body)
	}

	// Sign out: tokens revoked, then GenAuth's logout brings the browser home.
	w.tokens.mu.Lock()
	issued := append([]string(nil), w.tokens.tokens...)
	w.tokens.mu.Unlock()
	if len(issued) != 1 {
		t.Fatalf("the app received %d access tokens, want 1", len(issued))
	}
	status, logoutURL, _ := w.do(t, http.MethodPost, w.url+"/logout")
	if want := w.sdk.BuildLogoutURL(authentication.LogoutParams{RedirectURI: w.url + "/"}); status != http.StatusFound || logoutURL != want {
		t.Fatalf("logout: %d to %q, want %q", status, logoutURL, want)
	}
	in, err := w.sdk.IntrospectToken(context.Background(), issued[0])
	if err != nil || in.Active {
		t.Fatalf("access token after sign-out: %+v, %v; want inactive", in, err)
	}
	status, loc, _ = w.do(t, http.MethodGet, logoutURL)
	if status != http.StatusFound || loc != w.url+"/" {
		t.Fatalf("GenAuth logout: %d to %q", status, loc)
	}
	status, _, body = w.do(t, http.MethodGet, w.url+"/")
	if status != 200 || !strings.Contains(body, `href="/login"`) {
		t.Fatalf("home after sign-out: %d %s", status, body)
	}
	if status, loc, _ = w.do(t, http.MethodGet, w.url+"/profile"); status != http.StatusFound || loc != "/" {
		t.Fatalf("profile after sign-out: %d to %q", status, loc)
	}
	// GenAuth's session ended too: a new sign-in shows the login form.
	_, authURL, _ = w.do(t, http.MethodGet, w.url+"/login")
	if _, loc, _ = w.do(t, http.MethodGet, authURL); !strings.HasPrefix(loc, "/login") && !strings.HasPrefix(loc, w.srv.URL+"/login") {
		t.Fatalf("authorize after sign-out went to %q, want the login form", loc)
	}
}

func TestWebappRejectsForeignCallback(t *testing.T) {
	w := startWebapp(t, authentication.ProtocolOAuth)
	// No login cookie: a callback this browser did not start (login CSRF).
	status, _, _ := w.do(t, http.MethodGet, w.url+"/callback?code=0123456789abcdef0123456789abcdef01234567&state=x")
	if status != http.StatusBadRequest {
		t.Fatalf("foreign callback: %d, want 400", status)
	}
	// A state that does not match the cookie.
	w.do(t, http.MethodGet, w.url+"/login")
	status, _, _ = w.do(t, http.MethodGet, w.url+"/callback?code=0123456789abcdef0123456789abcdef01234567&state=other")
	if status != http.StatusBadRequest {
		t.Fatalf("mismatched state: %d, want 400", status)
	}
}

func TestWebappAPIRequiresToken(t *testing.T) {
	w := startWebapp(t, authentication.ProtocolOAuth)
	resp, err := http.Get(w.url + "/api/hello")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("API without a token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// signIn runs /login, GenAuth's login form and /callback, and returns the
// callback's status and body.
func (w *webapp) signIn(t *testing.T) (int, string) {
	t.Helper()
	_, authURL, _ := w.do(t, http.MethodGet, w.url+"/login")
	callback := w.srv.Authorize(t, w.browser, authURL, "alice", "correct horse battery")
	status, _, body := w.do(t, http.MethodGet, callback.String())
	return status, body
}

func TestWebappOIDCVerifiesIDToken(t *testing.T) {
	w := startWebapp(t, authentication.ProtocolOIDC)
	_, authURL, _ := w.do(t, http.MethodGet, w.url+"/login")
	if q := mustParse(t, authURL).Query(); !strings.HasPrefix(authURL, w.srv.URL+"/oidc/auth?") || q.Get("nonce") == "" {
		t.Fatalf("/login sent the browser to %s; want /oidc/auth with a nonce", authURL)
	}
	if status, body := w.signIn(t); status != http.StatusFound {
		t.Fatalf("callback: %d %s", status, body)
	}
	if status, _, body := w.do(t, http.MethodGet, w.url+"/profile"); status != http.StatusOK || !strings.Contains(body, `<dd id="username">alice</dd>`) {
		t.Fatalf("profile: %d %s", status, body)
	}

	// A later login whose answer carries the first login's id token (a
	// replay): its nonce and at_hash are not this login's, so it is refused.
	w.tokens.mu.Lock()
	w.tokens.swapIDToken = w.tokens.idTokens[0]
	w.tokens.mu.Unlock()
	if status, body := w.signIn(t); status != http.StatusBadRequest || !strings.Contains(body, "could not be verified") {
		t.Fatalf("callback with a replayed id token: %d %s", status, body)
	}
}
