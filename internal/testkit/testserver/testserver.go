package testserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/postgres"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// Clock is the settable clock shared by the server and the test.
type Clock = clock.Fake

// Server is a running GenAuth server.
type Server struct {
	URL string
	// Backend is "sqlite" or "postgres".
	Backend string
	// DBPath is the SQLite database file (with -wal and -shm beside it);
	// "" on PostgreSQL.
	DBPath string
	// DBURL is the PostgreSQL database; "" on SQLite.
	DBURL string
	Store Store
	Apps  *apps.Service
	Users *users.Service
	Clock *Clock
	// Keys is a second handle on the server's signing keys, as another node
	// or `genauth keys rotate` holds one: its changes reach the server when
	// the server next reloads its keys (within a minute of the clock).
	Keys *idtoken.Keys
	// MFA is a second handle on the server's second factors, under the
	// same key: to enroll a user's factors without an API.
	MFA *mfa.Service
	// IdP is a second handle on the server's upstream identity providers,
	// under the same key: to create connections and link tickets without
	// an API. It has no connectors: it cannot sign in.
	IdP *idp.Service

	sealer *secret.Sealer // the server's, for its management access key

	// Dump's read-only connection, opened on first use, and its last result.
	dumpMu      sync.Mutex
	dumpDB      *sql.DB
	dumpConn    *sql.Conn
	dumpVersion int64
	// On PostgreSQL: the connection and the snapshot of the last dump.
	dumpPG       *pgx.Conn
	dumpSnapshot string
	dumpRows     map[string][]string
}

// Backend is a way to start a server: on SQLite or on PostgreSQL.
type Backend struct {
	Name      string
	Start     func(testing.TB) *Server
	StartWith func(testing.TB, Options) *Server
}

// Backends are both backends, for tests that must hold on each. The
// PostgreSQL one skips when the server is unreachable, except under CI=true.
var Backends = []Backend{{"sqlite", Start, StartWith}, {"postgres", StartPostgres, StartPostgresWith}}

// Options change the server Start runs.
type Options struct {
	// Delivers are the kinds of message the server is told a provider
	// delivers (server.Config.Delivers); nil: email and SMS. Messages
	// wait in the outbox until Deliver sends them.
	Delivers map[string]bool
	// Localhost makes the public URL http://localhost:PORT instead of
	// http://127.0.0.1:PORT: passkeys need a domain name (mfa.PasskeysOn).
	Localhost bool
}

// Start runs a server on 127.0.0.1 with a fresh SQLite database; it stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith is Start with opts.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "genauth.db")
	st, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	srv := start(t, st, opts)
	srv.Backend, srv.DBPath = "sqlite", dbPath
	return srv
}

// StartPostgres is Start on a fresh PostgreSQL database of its own (see
// pgtest): skipped when PostgreSQL is unreachable, failed under CI=true.
func StartPostgres(t testing.TB) *Server {
	t.Helper()
	return StartPostgresWith(t, Options{})
}

// StartPostgresWith is StartPostgres with opts.
func StartPostgresWith(t testing.TB, opts Options) *Server {
	t.Helper()
	dbURL := pgtest.NewDatabase(t)
	st, err := postgres.Open(t.Context(), dbURL, postgres.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	srv := start(t, st, opts)
	srv.Backend, srv.DBURL = "postgres", dbURL
	return srv
}

// Store is the test server's database: what the server keeps, what tests
// read back of the audit trail, and Close.
type Store interface {
	server.Store
	ListAuditEvents(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, error)
	io.Closer
}

// migratable is a store of either backend before its first use.
type migratable interface {
	Store
	Migrate(ctx context.Context) error
}

func start(t testing.TB, st migratable, opts Options) *Server {
	t.Helper()
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	// Start at the real time: the cookie jar judges cookie expiry by the real
	// clock, so a fixed past date would make session cookies expire on arrival.
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	publicURL := "http://" + l.Addr().String()
	if opts.Localhost {
		publicURL = "http://localhost:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	}
	secretKey := bytes.Repeat([]byte{0x5e}, secret.KeyLen)
	delivers := opts.Delivers
	if delivers == nil {
		delivers = map[string]bool{model.MessageEmail: true, model.MessageSMS: true}
	}
	h, err := server.New(server.Config{
		PublicURL: publicURL,
		Store:     st,
		Now:       clk.Now,
		Rand:      rand.Reader,
		SecretKey: secretKey,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Delivers:  delivers,
	})
	if err != nil {
		l.Close()
		t.Fatalf("server: %v", err)
	}
	ts := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	ts.Start()
	t.Cleanup(ts.Close)
	tokens := token.NewSource(rand.Reader)
	sealer, err := secret.NewSealer(secretKey, rand.Reader)
	if err != nil {
		t.Fatalf("sealer: %v", err)
	}
	codeKey, err := sealer.DeriveKey(passcode.KeyPurpose)
	if err != nil {
		t.Fatalf("code key: %v", err)
	}
	mfaKey, err := sealer.DeriveKey(mfa.KeyPurpose)
	if err != nil {
		t.Fatalf("mfa key: %v", err)
	}
	codes := &passcode.Service{Store: st, Sealer: sealer, Key: codeKey, Rand: rand.Reader, NewID: tokens.ID, Now: clk.Now}
	accounts := &users.Service{Store: st, Tokens: tokens, Rand: rand.Reader, Now: clk.Now}
	srv := &Server{
		MFA: &mfa.Service{Store: st, Sealer: sealer, Key: mfaKey, Issuer: "GenAuth", Grants: codes, Rand: rand.Reader,
			NewID: tokens.ID, Now: clk.Now},
		URL:   publicURL,
		Store: st,
		Apps:  &apps.Service{Store: st, Tokens: tokens, Now: clk.Now},
		Users: accounts,
		IdP: &idp.Service{Store: st, Users: accounts, Sealer: sealer, Tokens: tokens, Rand: rand.Reader, Now: clk.Now,
			PublicURL: publicURL},
		Clock:  clk,
		Keys:   &idtoken.Keys{Store: st, Sealer: sealer, Tokens: tokens, Rand: rand.Reader, Now: clk.Now},
		sealer: sealer,
	}
	t.Cleanup(func() {
		if srv.dumpDB != nil {
			srv.dumpConn.Close()
			srv.dumpDB.Close()
		}
		if srv.dumpPG != nil {
			srv.dumpPG.Close(context.Background())
		}
	})
	return srv
}

// CreateApp creates an application and returns it with its secret.
func (s *Server) CreateApp(t testing.TB, p apps.CreateParams) (*model.Application, string) {
	t.Helper()
	if p.Name == "" {
		p.Name = "Test app"
	}
	app, secret, err := s.Apps.Create(context.Background(), p)
	if err != nil {
		t.Fatalf("create app: %v", err)
	}
	return app, secret
}

// CreateUser creates a user with a username and password.
func (s *Server) CreateUser(t testing.TB, username, password string) *model.User {
	t.Helper()
	u, err := s.Users.Create(context.Background(), users.CreateParams{Username: username, Password: password})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

// Browser returns a client with a cookie jar that does not follow redirects,
// so tests can see each hop.
func Browser(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Authorize follows authorizeURL through the hosted login form (signing in
// with username and password when asked) until the server redirects away
// from itself, and returns that redirect: the application's callback with a
// code, tokens or an error.
func (s *Server) Authorize(t testing.TB, browser *http.Client, authorizeURL, username, password string) *url.URL {
	t.Helper()
	l := s.Follow(t, browser, authorizeURL, username, password)
	if l.Location == nil {
		t.Fatalf("GET %s: ended at a page with status %d, no redirect away from the server", authorizeURL, l.Status)
	}
	return l.Location
}

// Landing is where following a request through the server stopped: a
// redirect away from the server (Location), or a page it showed (a consent
// page, a form_post response, an error page).
type Landing struct {
	Location *url.URL // nil when the server answered with a page
	Status   int
	Header   http.Header
	Body     string
}

// Follow is Authorize that also stops at a page the server shows instead of
// redirecting.
func (s *Server) Follow(t testing.TB, browser *http.Client, startURL, username, password string) *Landing {
	t.Helper()
	resp, err := browser.Get(startURL)
	if err != nil {
		t.Fatalf("GET %s: %v", startURL, err)
	}
	return s.follow(t, browser, resp, username, password)
}

func (s *Server) follow(t testing.TB, browser *http.Client, resp *http.Response, username, password string) *Landing {
	t.Helper()
	for hop := 0; hop < 10; hop++ {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("reading %s: %v", resp.Request.URL, err)
		}
		loc, err := resp.Location()
		if err != nil {
			return &Landing{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
		}
		checkRedirectStatus(t, resp)
		if !strings.HasPrefix(loc.String(), s.URL+"/") {
			return &Landing{Location: loc, Status: resp.StatusCode, Header: resp.Header}
		}
		if loc.Path == "/login" {
			loc = s.submitLogin(t, browser, loc, username, password)
			if !strings.HasPrefix(loc.String(), s.URL+"/") {
				return &Landing{Location: loc, Status: http.StatusSeeOther}
			}
		}
		if resp, err = browser.Get(loc.String()); err != nil {
			t.Fatalf("GET %s: %v", loc, err)
		}
	}
	t.Fatalf("too many redirects")
	return nil
}

// Consent answers the consent page l with decision ("approve" or "deny")
// from the same origin, as the page's own buttons do, and follows the result.
func (s *Server) Consent(t testing.TB, browser *http.Client, l *Landing, decision string) *Landing {
	t.Helper()
	action, fields := HTMLForm(t, l.Body)
	target, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	target, err = target.Parse(action)
	if err != nil {
		t.Fatalf("form action %q: %v", action, err)
	}
	fields.Set("consent", decision)
	req, err := http.NewRequest(http.MethodPost, target.String(), strings.NewReader(fields.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	return s.follow(t, browser, resp, "", "")
}

var (
	formTagRE  = regexp.MustCompile(`(?s)<form\b[^>]*>`)
	inputTagRE = regexp.MustCompile(`(?s)<input\b[^>]*>`)
	attrRE     = regexp.MustCompile(`\b([a-z-]+)="([^"]*)"`)
)

// HTMLForm returns the action and the hidden inputs of the first form of
// page, as a browser would submit them: GenAuth's pages (consent, form_post)
// come from its own templates, so a small parser is enough.
func HTMLForm(t testing.TB, page string) (action string, hidden url.Values) {
	t.Helper()
	tag := formTagRE.FindString(page)
	if tag == "" {
		t.Fatalf("no form in the page:\n%s", page)
	}
	action = attrs(tag)["action"]
	end := strings.Index(page, "</form>")
	if end < 0 {
		t.Fatalf("unterminated form in the page:\n%s", page)
	}
	hidden = url.Values{}
	for _, in := range inputTagRE.FindAllString(page[strings.Index(page, tag):end], -1) {
		if a := attrs(in); a["type"] == "hidden" {
			hidden.Add(a["name"], a["value"])
		}
	}
	return action, hidden
}

func attrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(tag, -1) {
		m[a[1]] = html.UnescapeString(a[2])
	}
	return m
}

// submitLogin posts the hosted login form for the login page at loginURL.
func (s *Server) submitLogin(t testing.TB, browser *http.Client, loginURL *url.URL, username, password string) *url.URL {
	t.Helper()
	page, err := browser.Get(loginURL.String())
	if err != nil {
		t.Fatalf("GET login page: %v", err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusOK {
		t.Fatalf("login page: status %d", page.StatusCode)
	}
	form := url.Values{
		"username":  {username},
		"password":  {password},
		"return_to": {loginURL.Query().Get("return_to")},
	}
	resp, err := browser.PostForm(s.URL+"/login", form)
	if err != nil {
		t.Fatalf("POST /login: %v", err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("POST /login: status %d, no redirect (wrong password?)", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("POST /login: redirect with status %d, want 303 See Other", resp.StatusCode)
	}
	return loc
}

// checkRedirectStatus fails the test for a redirect other than 302 or 303:
// a 307 or 308 would make the browser post a form (credentials, a consent)
// on to the next address (RFC 9700 section 4.12).
func checkRedirectStatus(t testing.TB, resp *http.Response) {
	t.Helper()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Errorf("%s %s: redirect with status %d; GenAuth redirects only with 302 or 303", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode)
	}
}

// Deliver sends the messages due in the server's outbox through providers
// (by message kind), as the sender of genauth serve does, and returns how
// many it sent.
func (s *Server) Deliver(t testing.TB, providers map[string]outbox.Provider) int {
	t.Helper()
	sender := &outbox.Sender{Store: s.Store, Sealer: s.sealer, Providers: providers,
		Audit: audit.NewSync(s.Store, slog.New(slog.NewTextHandler(io.Discard, nil)), s.Clock.Now), Now: s.Clock.Now}
	n, err := sender.Drain(t.Context())
	if err != nil {
		t.Fatalf("delivering the outbox: %v", err)
	}
	return n
}
