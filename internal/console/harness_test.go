package console

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/reset"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const publicURL = "http://localhost:8080"

// roles stands in for internal/account/admins in these tests, which are
// about the console; the server wires the real service (e2e tests).
type roles struct {
	mu     sync.Mutex
	admins map[string]bool
	token  string
}

func (r *roles) IsAdmin(_ context.Context, id string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.admins[id], nil
}

func (r *roles) Count(context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ok := range r.admins {
		if ok {
			n++
		}
	}
	return n, nil
}

func (r *roles) Claim(_ context.Context, tok, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.admins) > 0 {
		return model.ErrConflict
	}
	if tok == "" || tok != r.token {
		return model.ErrNotFound
	}
	r.admins[id], r.token = true, ""
	return nil
}

func (r *roles) Grant(_ context.Context, id, _ string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.admins[id] = true
	return nil
}

func (r *roles) Revoke(_ context.Context, id, _ string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case !r.admins[id]:
		return model.ErrNotFound
	case len(r.admins) == 1:
		return model.ErrConflict
	}
	delete(r.admins, id)
	return nil
}

// harnessStore is what the console's services keep, on either backend.
type harnessStore interface {
	Store
	users.Store
	apps.Store
	sessions.Store
	audit.Store
	idtoken.KeyStore
	passcode.Store
	mfa.Store
	idp.Store
	throttle.Store
	ListAuditEvents(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, error)
	CreateTokens(ctx context.Context, tokens ...*model.Token) error
}

// harness is the console on a fresh database (SQLite unless said
// otherwise), driven in process.
type harness struct {
	t        testing.TB
	store    harnessStore
	now      time.Time
	users    *users.Service
	apps     *apps.Service
	roles    *roles
	hosted   *sessions.Manager
	handler  *Handler
	mux      *http.ServeMux
	logs     *bytes.Buffer
	keys     *idtoken.Keys
	factors  *mfa.Service
	upstream *idp.Service
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return newHarnessOn(t, st)
}

// newHarnessOn is the console on st, a migrated database.
func newHarnessOn(t testing.TB, st harnessStore) *harness {
	t.Helper()
	ctx := context.Background()
	hs := &harness{t: t, store: st, now: testNow, roles: &roles{admins: map[string]bool{}}, mux: http.NewServeMux(),
		logs: &bytes.Buffer{}}
	rnd := rand.NewChaCha8([32]byte{1})
	tokens := token.NewSource(rnd)
	now := func() time.Time { return hs.now }
	sealer, err := secret.NewSealer(bytes.Repeat([]byte{7}, secret.KeyLen), rnd)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(hs.logs, nil))
	rec := audit.NewSync(st, logger, now)
	hs.users = &users.Service{Store: st, Tokens: tokens, Rand: rnd, Now: now}
	hs.apps = &apps.Service{Store: st, Tokens: tokens, Now: now}
	hs.hosted = &sessions.Manager{Store: st, Tokens: tokens, Now: now}
	hs.keys = &idtoken.Keys{Store: st, Sealer: sealer, Tokens: tokens, Rand: rnd, Now: now}
	if err := hs.keys.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	codeKey, _ := sealer.DeriveKey(passcode.KeyPurpose)
	codes := &passcode.Service{Store: st, Sealer: sealer, Key: codeKey, Rand: rnd, NewID: tokens.ID, Now: now}
	factorKey, _ := sealer.DeriveKey(mfa.KeyPurpose)
	hs.factors = &mfa.Service{Store: st, Sealer: sealer, Key: factorKey, Issuer: "GenAuth", Grants: codes, Rand: rnd,
		NewID: tokens.ID, Now: now}
	hs.upstream = &idp.Service{Store: st, Users: hs.users, Sealer: sealer, Tokens: tokens, Rand: rnd, Now: now, Audit: rec,
		PublicURL: publicURL}
	loginKey, _ := sealer.DeriveKey(throttle.LoginKeyPurpose)
	limiter := &throttle.Limiter{Store: st, Now: now, Policy: throttle.DefaultPolicy, LoginKey: loginKey}
	csrfKey, _ := sealer.DeriveKey("console csrf")
	hs.handler, err = New(Config{
		PublicURL: publicURL,
		Hosted:    hs.hosted,
		Sessions: &sessions.Manager{Store: st, Tokens: tokens, Now: now, TTL: SessionTTL, IdleTTL: SessionIdleTTL,
			Cookie: SessionCookie, Path: Path, Strict: true},
		CSRFKey: csrfKey,
		Admins:  hs.roles,
		Store:   st,
		Users:   hs.users,
		Apps:    hs.apps,
		IdP:     hs.upstream,
		MFA:     hs.factors,
		Reset: &reset.Service{Codes: codes,
			SignIn: &signin.Service{Store: st, Users: hs.users, Codes: codes, Limiter: limiter, Audit: rec}},
		Keys:   hs.keys,
		Audit:  rec,
		Now:    now,
		Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs.handler.Register(edge.NewRoutes(hs.mux))
	return hs
}

func (hs *harness) do(req *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	hs.mux.ServeHTTP(rec, req)
	return rec.Result()
}

// browser is a signed-in administrator's cookies and form token.
type browser struct {
	cookies []*http.Cookie
	csrf    string
}

func (hs *harness) get(target string, b *browser) *http.Response {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if b != nil {
		for _, c := range b.cookies {
			req.AddCookie(c)
		}
	}
	return hs.do(req)
}

// post sends a form as a same-origin browser would, with the session's
// form token unless form has one.
func (hs *harness) post(path string, form url.Values, b *browser) *http.Response {
	if form == nil {
		form = url.Values{}
	}
	if b != nil && !form.Has("csrf") {
		form.Set("csrf", b.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if b != nil {
		for _, c := range b.cookies {
			req.AddCookie(c)
		}
	}
	return hs.do(req)
}

func (hs *harness) createUser(username, email string) *model.User {
	hs.t.Helper()
	u, err := hs.users.Create(context.Background(), users.CreateParams{Username: username, Email: email,
		Password: "correct horse battery staple"})
	if err != nil {
		hs.t.Fatal(err)
	}
	return u
}

// hostedSession signs userID in on the hosted pages, as amr says.
func (hs *harness) hostedSession(userID string, amr ...string) *http.Cookie {
	hs.t.Helper()
	rec := httptest.NewRecorder()
	if _, err := hs.hosted.Start(context.Background(), rec, httptest.NewRequest(http.MethodGet, "/", nil), userID, amr); err != nil {
		hs.t.Fatal(err)
	}
	return cookieNamed(rec.Result(), sessions.CookieName)
}

// admin makes a new administrator and signs them in to the console the
// way a browser does: a hosted session with a second factor, then
// /console/signin.
func (hs *harness) admin(username string) (*model.User, *browser) {
	hs.t.Helper()
	u := hs.createUser(username, username+"@example.com")
	hs.roles.admins[u.ID] = true
	return u, hs.signIn(u.ID)
}

func (hs *harness) signIn(userID string) *browser {
	hs.t.Helper()
	hosted := hs.hostedSession(userID, "pwd", "otp", "mfa")
	resp := hs.get(Path+"/signin", &browser{cookies: []*http.Cookie{hosted}})
	c := cookieNamed(resp, SessionCookie)
	if resp.StatusCode != http.StatusSeeOther || c == nil {
		hs.t.Fatalf("console sign-in: %d, cookie %v", resp.StatusCode, c)
	}
	return &browser{cookies: []*http.Cookie{hosted, c}, csrf: hs.handler.csrfToken(c.Value)}
}

// events are the audit events of type typ, oldest first.
func (hs *harness) events(typ string) []*model.AuditEvent {
	hs.t.Helper()
	list, err := hs.store.ListAuditEvents(context.Background(), store.AuditQuery{Type: typ, Limit: 1000})
	if err != nil {
		hs.t.Fatal(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func body(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
