package oauth_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

const (
	callback      = "http://localhost:3000/callback"
	otherCallback = "http://localhost:3000/other?tenant=a"
	userName      = "alice"
	userPassword  = "correct horse battery"
)

var (
	prefixes = []string{model.ProtocolOAuth, model.ProtocolOIDC}
	formats  = []string{model.AccessTokenOpaque, model.AccessTokenJWT}
	opaqueRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// checkAccessToken checks that value is an access token in format: 40 hex
// characters, or a JWT that verifies offline against the server's JWKS
// with typ at+jwt, the issuer of prefix, aud and client_id c, sub (empty:
// none, and azp c instead), an iat not after now, exp, jti and scope.
func (e *env) checkAccessToken(t *testing.T, format, prefix string, c client, value, sub, scope string) {
	t.Helper()
	if format == model.AccessTokenOpaque {
		if !opaqueRE.MatchString(value) {
			t.Errorf("access token %q: want 40 hex characters", value)
		}
		return
	}
	resp, err := http.Get(e.srv.URL + "/oidc/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	err = json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.ParseSigned(value, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("access token %q: want a JWT: %v", value, err)
	}
	if h := tok.Headers[0]; h.ExtraHeaders["typ"] != "at+jwt" || h.KeyID == "" {
		t.Errorf("header typ %v kid %q: want at+jwt and a kid", h.ExtraHeaders["typ"], h.KeyID)
	}
	var std jwt.Claims
	var rest struct {
		ClientID string  `json:"client_id"`
		AZP      string  `json:"azp"`
		Scope    *string `json:"scope"`
	}
	if err := tok.Claims(&set, &std, &rest); err != nil {
		t.Fatalf("access token does not verify against the JWKS: %v", err)
	}
	now := e.srv.Clock.Now()
	err = std.ValidateWithLeeway(jwt.Expected{Issuer: e.srv.URL + "/" + prefix, Subject: sub, AnyAudience: jwt.Audience{c.id}, Time: now}, 0)
	if err != nil || std.IssuedAt == nil || std.IssuedAt.Time().After(now) || std.Expiry == nil || std.ID == "" {
		t.Errorf("claims %+v: %v; want iss, sub, aud, exp, jti, and iat not after %v", std, err, now)
	}
	if rest.ClientID != c.id || rest.Scope == nil || *rest.Scope != scope || (sub == "") != (rest.AZP == c.id) {
		t.Errorf("client_id %q azp %q scope %v; want %q, azp only without sub, scope %q", rest.ClientID, rest.AZP, rest.Scope, c.id, scope)
	}
}

// env is a running server with one user and a browser that signs in as that
// user once and keeps the session.
type env struct {
	srv     *testserver.Server
	user    *model.User
	browser *http.Client
}

func start(t *testing.T) *env {
	t.Helper()
	srv := testserver.Start(t)
	return &env{srv: srv, user: srv.CreateUser(t, userName, userPassword), browser: testserver.Browser(t)}
}

// client is a registered application and its secret.
type client struct {
	app    *model.Application
	id     string
	secret string
}

// newApp registers an application with both callbacks; zero fields of p take the defaults.
func (e *env) newApp(t *testing.T, p apps.CreateParams) client {
	t.Helper()
	if p.RedirectURIs == nil {
		p.RedirectURIs = []string{callback, otherCallback}
	}
	app, secret := e.srv.CreateApp(t, p)
	return client{app: app, id: app.ID, secret: secret}
}

func (e *env) url(prefix, path string) string { return e.srv.URL + "/" + prefix + path }

// config is an x/oauth2 client for c at prefix. A `none` client sends no secret.
func (e *env) config(c client, prefix string, style oauth2.AuthStyle) *oauth2.Config {
	secret := c.secret
	if c.app.TokenAuthMethod == model.AuthNone {
		secret = ""
	}
	return &oauth2.Config{
		ClientID:     c.id,
		ClientSecret: secret,
		RedirectURL:  callback,
		Scopes:       requestedScopes[prefix],
		Endpoint: oauth2.Endpoint{
			AuthURL:   e.url(prefix, "/auth"),
			TokenURL:  e.url(prefix, "/token"),
			AuthStyle: style,
		},
	}
}

// authorize runs authorizeURL through the hosted login and returns the callback's query.
func (e *env) authorize(t *testing.T, authorizeURL string) url.Values {
	t.Helper()
	loc := e.srv.Authorize(t, e.browser, authorizeURL, userName, userPassword)
	if base := loc.Scheme + "://" + loc.Host + loc.Path; base != callback && !strings.HasPrefix(otherCallback, base+"?") {
		t.Fatalf("redirected to %s, want a registered callback", loc)
	}
	return loc.Query()
}

// code signs in through cfg's authorize URL and returns the code, checking state.
func (e *env) code(t *testing.T, cfg *oauth2.Config, opts ...oauth2.AuthCodeOption) string {
	t.Helper()
	q := e.authorize(t, cfg.AuthCodeURL("st-123", opts...))
	if q.Get("error") != "" {
		t.Fatalf("authorize: %s: %s", q.Get("error"), q.Get("error_description"))
	}
	if q.Get("state") != "st-123" {
		t.Fatalf("state = %q, want st-123", q.Get("state"))
	}
	if !opaqueRE.MatchString(q.Get("code")) {
		t.Fatalf("code = %q, want 40 hex characters", q.Get("code"))
	}
	return q.Get("code")
}

// tokens runs the code flow for c at prefix with x/oauth2 and body credentials.
func (e *env) tokens(t *testing.T, c client, prefix string) *oauth2.Token {
	t.Helper()
	cfg := e.config(c, prefix, oauth2.AuthStyleInParams)
	verifier := oauth2.GenerateVerifier()
	tok, err := cfg.Exchange(t.Context(), e.code(t, cfg, oauth2.S256ChallengeOption(verifier)), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// response is a fully read HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// request describes a raw request to the server.
type request struct {
	method      string
	url         string
	contentType string // "" with a body sends none
	body        string
	header      map[string]string
}

func do(t *testing.T, r request) *response {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), r.method, r.url, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}
}

const formType = "application/x-www-form-urlencoded"

// post sends form as application/x-www-form-urlencoded, with extra headers.
func post(t *testing.T, target string, form url.Values, header map[string]string) *response {
	t.Helper()
	return do(t, request{method: http.MethodPost, url: target, contentType: formType, body: form.Encode(), header: header})
}

// creds adds client_secret_post credentials to form.
func (c client) creds(form url.Values) url.Values {
	form.Set("client_id", c.id)
	form.Set("client_secret", c.secret)
	return form
}

func (e *env) introspect(t *testing.T, c client, prefix, tok string) *response {
	t.Helper()
	return post(t, e.url(prefix, "/token/introspection"), c.creds(url.Values{"token": {tok}}), nil)
}

func (e *env) revoke(t *testing.T, c client, prefix, tok string) *response {
	t.Helper()
	return post(t, e.url(prefix, "/token/revocation"), c.creds(url.Values{"token": {tok}}), nil)
}

func (e *env) me(t *testing.T, prefix, tok string) *response {
	t.Helper()
	return do(t, request{method: http.MethodGet, url: e.url(prefix, "/me"), header: map[string]string{"Authorization": "Bearer " + tok}})
}

// wantActive checks that tok introspects as active (or not) for c.
func (e *env) wantActive(t *testing.T, c client, prefix, tok string, active bool) {
	t.Helper()
	r := e.introspect(t, c, prefix, tok)
	if r.status != http.StatusOK {
		t.Fatalf("introspection: status %d: %s", r.status, r.body)
	}
	if !active {
		wantInactive(t, r)
		return
	}
	var got struct {
		Active bool `json:"active"`
	}
	if err := json.Unmarshal(r.body, &got); err != nil || !got.Active {
		t.Fatalf("introspection = %s, want active", r.body)
	}
}

// wantInactive checks the exact inactive introspection body.
func wantInactive(t *testing.T, r *response) {
	t.Helper()
	if r.status != http.StatusOK || string(r.body) != "{\"active\":false}\n" {
		t.Fatalf("introspection: status %d body %q, want 200 {\"active\":false}", r.status, r.body)
	}
	wantJSONHeaders(t, r)
}

// decode unmarshals a JSON response body, keeping numbers as json.Number.
func decode(t *testing.T, r *response) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(string(r.body)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

func wantJSONHeaders(t *testing.T, r *response) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
}

// Words that would betray an internal detail in an error body.
var leaks = []string{"sql", "database", "panic", "goroutine", ".go:", "runtime", "stack", "nil pointer"}

// wantError checks an RFC 6749 error response: status, JSON with exactly
// error and error_description, and no internal detail.
func wantError(t *testing.T, r *response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	wantJSONHeaders(t, r)
	m := decode(t, r)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"error", "error_description"}) {
		t.Errorf("error body keys = %v, want [error error_description]: %s", keys, r.body)
	}
	if m["error"] != code {
		t.Errorf("error = %v, want %s (%s)", m["error"], code, r.body)
	}
	if d, _ := m["error_description"].(string); d == "" {
		t.Errorf("error_description is empty or not a string: %s", r.body)
	}
	lower := strings.ToLower(string(r.body))
	for _, w := range leaks {
		if strings.Contains(lower, w) {
			t.Errorf("error body mentions %q: %s", w, r.body)
		}
	}
}

// exchangeError returns the RFC 6749 error code of a failed x/oauth2 call.
func exchangeError(t *testing.T, err error) string {
	t.Helper()
	var re *oauth2.RetrieveError
	if err == nil {
		t.Fatal("token request succeeded, want an error")
	}
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not an *oauth2.RetrieveError", err)
	}
	return re.ErrorCode
}
