package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// Modes of faultyStore.
const (
	dbUp          = iota
	dbUnreachable // every operation below fails
	dbReadOnly    // only the writes below fail
)

// faultyStore fails the operations the tested requests use with
// model.ErrUnavailable, as the backends report an unreachable, read-only
// or full database; everything else reaches the real store.
type faultyStore struct {
	server.Store
	mode atomic.Int32
}

func (f *faultyStore) fail(op string, write bool) error {
	switch m := f.mode.Load(); {
	case m == dbUnreachable, m == dbReadOnly && write:
		return fmt.Errorf("faulty: %s: %w", op, model.ErrUnavailable)
	}
	return nil
}

func (f *faultyStore) Ping(ctx context.Context) error {
	if err := f.fail("ping", false); err != nil {
		return err
	}
	return f.Store.Ping(ctx)
}

func (f *faultyStore) CheckWrite(ctx context.Context) error {
	if err := f.fail("check write", true); err != nil {
		return err
	}
	return f.Store.CheckWrite(ctx)
}

func (f *faultyStore) GetApplication(ctx context.Context, id string) (*model.Application, error) {
	if err := f.fail("get application", false); err != nil {
		return nil, err
	}
	return f.Store.GetApplication(ctx, id)
}

func (f *faultyStore) GetToken(ctx context.Context, hash string) (*model.Token, error) {
	if err := f.fail("get token", false); err != nil {
		return nil, err
	}
	return f.Store.GetToken(ctx, hash)
}

func (f *faultyStore) GetTokenWithUser(ctx context.Context, hash string) (*model.Token, *model.User, error) {
	if err := f.fail("get token", false); err != nil {
		return nil, nil, err
	}
	return f.Store.GetTokenWithUser(ctx, hash)
}

func (f *faultyStore) CreateTokens(ctx context.Context, tokens ...*model.Token) error {
	if err := f.fail("create tokens", true); err != nil {
		return err
	}
	return f.Store.CreateTokens(ctx, tokens...)
}

func (f *faultyStore) RevokeToken(ctx context.Context, hash string, now time.Time) (*model.Token, error) {
	if err := f.fail("revoke token", true); err != nil {
		return nil, err
	}
	return f.Store.RevokeToken(ctx, hash, now)
}

func (f *faultyStore) CreateAuthCode(ctx context.Context, c *model.AuthCode) error {
	if err := f.fail("create auth code", true); err != nil {
		return err
	}
	return f.Store.CreateAuthCode(ctx, c)
}

func (f *faultyStore) FindUserByLogin(ctx context.Context, login string) (*model.User, error) {
	if err := f.fail("find user", false); err != nil {
		return nil, err
	}
	return f.Store.FindUserByLogin(ctx, login)
}

func (f *faultyStore) GetAccessKey(ctx context.Context) (*model.AccessKey, error) {
	if err := f.fail("get access key", false); err != nil {
		return nil, err
	}
	return f.Store.GetAccessKey(ctx)
}

// logLines collects the server's log.
type logLines struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testSecretKey is the server secret of the servers serveConfig starts.
var testSecretKey = bytes.Repeat([]byte{7}, secret.KeyLen)

// openSQLite returns a migrated store in a fresh file, closed when the test ends.
func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return st
}

// serveConfig serves server.New(cfg) on loopback, with cfg's public URL
// and secret key filled in, until the test ends; it returns the base URL.
func serveConfig(t *testing.T, cfg server.Config) string {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	cfg.PublicURL, cfg.SecretKey = base, testSecretKey
	h, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = h
	ts.Start()
	t.Cleanup(ts.Close)
	return base
}

// answer is one response, read whole.
type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values, header ...string) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// TestDatabaseUnavailable takes the database away under a running server
// and checks every surface's answer: RFC 6749 temporarily_unavailable with
// 503 and Retry-After from the protocol endpoints (redirected from authorize
// once the client and redirect URI are verified, an HTML page before), a
// translated 503 page from the hosted pages, the management envelope's
// statusCode 503, /readyz 503; one log line when the database went and one
// when a write worked again, however many requests failed in between.
func TestDatabaseUnavailable(t *testing.T) {
	ctx := t.Context()
	st := openSQLite(t)
	faulty := &faultyStore{Store: st}
	var logs logLines
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	tracker := health.New(health.Config{Probe: faulty.CheckWrite, Logger: logger, ProbeEvery: time.Millisecond})
	defer tracker.Close()
	base := serveConfig(t, server.Config{Store: faulty, Logger: logger, Health: tracker})

	tokens := token.NewSource(rand.Reader)
	app, appSecret, err := (&apps.Service{Store: st, Tokens: tokens, Now: time.Now}).Create(ctx, apps.CreateParams{
		Name: "Fault test", RedirectURIs: []string{"http://app.test/cb"},
		GrantTypes: []string{model.GrantAuthorizationCode, model.GrantClientCredentials}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&users.Service{Store: st, Tokens: tokens, Rand: rand.Reader, Now: time.Now}).Create(ctx,
		users.CreateParams{Username: "ada", Password: "the right password"}); err != nil {
		t.Fatal(err)
	}
	browser := testserver.Browser(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	creds := func(kv ...string) url.Values {
		v := url.Values{"client_id": {app.ID}, "client_secret": {appSecret}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	// While up: a token, and a signed-in browser.
	a := do(t, client, http.MethodPost, base+"/oauth/token", creds("grant_type", "client_credentials"))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(a.body), &tok); a.status != http.StatusOK || err != nil {
		t.Fatalf("client_credentials while up: %d %s", a.status, a.body)
	}
	if a := do(t, browser, http.MethodPost, base+"/login", url.Values{"username": {"ada"}, "password": {"the right password"}}); a.status != http.StatusSeeOther {
		t.Fatalf("sign-in while up: %d", a.status)
	}
	authorize := base + "/oauth/auth?" + url.Values{"client_id": {app.ID}, "redirect_uri": {"http://app.test/cb"},
		"response_type": {"code"}, "state": {"s1"}}.Encode()

	wantJSON := func(name string, a answer) {
		t.Helper()
		var e struct{ Error string }
		_ = json.Unmarshal([]byte(a.body), &e)
		if a.status != http.StatusServiceUnavailable || e.Error != "temporarily_unavailable" || a.header.Get("Retry-After") == "" {
			t.Errorf("%s: %d Retry-After %q %s; want 503 temporarily_unavailable with Retry-After", name, a.status, a.header.Get("Retry-After"), a.body)
		}
	}
	wantPage := func(name string, a answer, text string) {
		t.Helper()
		if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" ||
			!strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !strings.Contains(a.body, text) {
			t.Errorf("%s: %d Retry-After %q, page %.300q; want a 503 page with %q and Retry-After", name, a.status, a.header.Get("Retry-After"), a.body, text)
		}
	}

	faulty.mode.Store(dbUnreachable)
	for range 3 { // several failures, one log line
		wantJSON("token", do(t, client, http.MethodPost, base+"/oauth/token", creds("grant_type", "client_credentials")))
	}
	wantJSON("introspection", do(t, client, http.MethodPost, base+"/oauth/token/introspection", creds("token", tok.AccessToken)))
	wantJSON("revocation", do(t, client, http.MethodPost, base+"/oauth/token/revocation", creds("token", tok.AccessToken)))
	wantJSON("userinfo", do(t, client, http.MethodGet, base+"/oidc/me", nil, "Authorization", "Bearer "+tok.AccessToken))
	other := base + "/oidc/auth?" + url.Values{"client_id": {"never-looked-up"}, "redirect_uri": {"http://app.test/cb"},
		"response_type": {"code"}}.Encode()
	wantPage("authorize, client not verified", do(t, client, http.MethodGet, other, nil), "Service unavailable")
	wantPage("sign-in (en)", do(t, client, http.MethodPost, base+"/login", url.Values{"username": {"ada"}, "password": {"x"}}), "Service unavailable")
	wantPage("sign-in (zh-CN)", do(t, client, http.MethodPost, base+"/login", url.Values{"username": {"ada"}, "password": {"x"}},
		"Accept-Language", "zh-CN"), "服务暂时不可用")
	if env := managementAPI(t, client, base, "get-management-token", "", "{}"); env.StatusCode != http.StatusServiceUnavailable || env.retryAfter == "" {
		t.Errorf("management API: statusCode %d, Retry-After %q; want 503 with Retry-After", env.StatusCode, env.retryAfter)
	}
	if a := do(t, client, http.MethodGet, base+"/readyz", nil); a.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz while unreachable: %d", a.status)
	}

	// Read-only (or full): pings and reads work, writes do not; /readyz
	// still says no, and an authorization request with a verified client
	// is answered at its redirect URI.
	faulty.mode.Store(dbReadOnly)
	a = do(t, browser, http.MethodGet, authorize, nil)
	loc, _ := url.Parse(a.header.Get("Location"))
	if a.status != http.StatusFound || loc == nil || !strings.HasPrefix(loc.String(), "http://app.test/cb?") ||
		loc.Query().Get("error") != "temporarily_unavailable" || loc.Query().Get("state") != "s1" {
		t.Errorf("authorize while read-only: %d to %q; want a redirect with error=temporarily_unavailable and the state", a.status, a.header.Get("Location"))
	}
	if a := do(t, client, http.MethodGet, base+"/readyz", nil); a.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz while read-only (pings work): %d, want 503", a.status)
	}

	faulty.mode.Store(dbUp)
	deadline := time.Now().Add(30 * time.Second)
	for do(t, client, http.MethodGet, base+"/readyz", nil).status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz never ready again")
		}
		time.Sleep(time.Millisecond)
	}
	if a := do(t, client, http.MethodPost, base+"/oauth/token", creds("grant_type", "client_credentials")); a.status != http.StatusOK {
		t.Errorf("token after recovery: %d %s", a.status, a.body)
	}
	var got []string
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(line, "level=ERROR") || strings.Contains(line, "database") {
			got = append(got, line)
		}
	}
	if len(got) != 2 || !strings.Contains(got[0], `msg="database unavailable"`) || !strings.Contains(got[1], `msg="database available again"`) {
		t.Errorf("log lines about the database or at ERROR:\n%s\nwant one when it went and one when it came back", strings.Join(got, "\n"))
	}
	if !slices.ContainsFunc(strings.Split(logs.String(), "\n"), func(s string) bool { return strings.Contains(s, "faulty: ") }) {
		t.Error("the outage's line does not say what failed")
	}
}
