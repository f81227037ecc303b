package testserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth"
	"github.com/opengenauth/genauth/internal/apps"
	"github.com/opengenauth/genauth/internal/secret"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/token"
	"github.com/opengenauth/genauth/internal/users"
)

// Clock is a settable clock shared by the server and the test.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Server is a running GenAuth server.
type Server struct {
	URL   string
	Store *sqlite.Store
	Apps  *apps.Service
	Users *users.Service
	Clock *Clock
}

// Start runs a server on 127.0.0.1 with a fresh SQLite database; it stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	// Start at the real time: the cookie jar judges cookie expiry by the real
	// clock, so a fixed past date would make session cookies expire on arrival.
	clock := &Clock{now: time.Now().UTC().Truncate(time.Second)}
	publicURL := "http://" + l.Addr().String()
	h, err := server.New(server.Config{
		PublicURL: publicURL,
		Store:     st,
		Now:       clock.Now,
		Rand:      rand.Reader,
		SecretKey: bytes.Repeat([]byte{0x5e}, secret.KeyLen),
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		l.Close()
		t.Fatalf("server: %v", err)
	}
	ts := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	ts.Start()
	t.Cleanup(ts.Close)
	tokens := token.NewSource(rand.Reader)
	return &Server{
		URL:   publicURL,
		Store: st,
		Apps:  &apps.Service{Store: st, Tokens: tokens, Now: clock.Now},
		Users: &users.Service{Store: st, Tokens: tokens, Rand: rand.Reader, Now: clock.Now},
		Clock: clock,
	}
}

// CreateApp creates an application and returns it with its secret.
func (s *Server) CreateApp(t testing.TB, p apps.CreateParams) (*genauth.Application, string) {
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
func (s *Server) CreateUser(t testing.TB, username, password string) *genauth.User {
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
	next := authorizeURL
	for hop := 0; hop < 10; hop++ {
		resp, err := browser.Get(next)
		if err != nil {
			t.Fatalf("GET %s: %v", next, err)
		}
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			t.Fatalf("GET %s: status %d, no redirect", next, resp.StatusCode)
		}
		if !strings.HasPrefix(loc.String(), s.URL+"/") {
			return loc
		}
		if loc.Path == "/login" {
			loc = s.submitLogin(t, browser, loc, username, password)
			if !strings.HasPrefix(loc.String(), s.URL+"/") {
				return loc
			}
		}
		next = loc.String()
	}
	t.Fatalf("too many redirects from %s", authorizeURL)
	return nil
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
	return loc
}
