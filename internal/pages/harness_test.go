package pages

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
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness is the hosted pages on a fresh SQLite database, driven in process.
type harness struct {
	t        *testing.T
	store    *sqlite.Store
	users    *users.Service
	apps     *apps.Service
	sessions *sessions.Manager
	handler  *Handler
	mux      *http.ServeMux
	logs     *bytes.Buffer
}

func newHarness(t *testing.T, publicURL string) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rnd := rand.NewChaCha8([32]byte{1})
	tokens := token.NewSource(rnd)
	now := func() time.Time { return testNow }
	hs := &harness{
		t:        t,
		store:    st,
		users:    &users.Service{Store: st, Tokens: tokens, Rand: rnd, Now: now},
		apps:     &apps.Service{Store: st, Tokens: tokens, Now: now},
		sessions: &sessions.Manager{Store: st, Tokens: tokens, Now: now, Secure: strings.HasPrefix(publicURL, "https:")},
		mux:      http.NewServeMux(),
		logs:     &bytes.Buffer{},
	}
	hs.handler, err = New(Config{
		Store:     st,
		Users:     hs.users,
		Sessions:  hs.sessions,
		PublicURL: publicURL,
		Logger:    slog.New(slog.NewTextHandler(hs.logs, nil)),
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

func (hs *harness) get(target string, cookies ...*http.Cookie) *http.Response {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return hs.do(req)
}

// post sends a form as a same-origin browser would.
func (hs *harness) post(path string, form url.Values, cookies ...*http.Cookie) *http.Response {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return hs.do(req)
}

func (hs *harness) createUser(username, email, phone, pw string) *model.User {
	hs.t.Helper()
	u, err := hs.users.Create(context.Background(), users.CreateParams{Username: username, Email: email, Phone: phone, Password: pw})
	if err != nil {
		hs.t.Fatal(err)
	}
	return u
}

func (hs *harness) createApp(name string, logoutURIs ...string) *model.Application {
	hs.t.Helper()
	app, _, err := hs.apps.Create(context.Background(), apps.CreateParams{
		Name:               name,
		RedirectURIs:       []string{"http://localhost:3000/callback"},
		LogoutRedirectURIs: logoutURIs,
	})
	if err != nil {
		hs.t.Fatal(err)
	}
	return app
}

// startSession signs userID in directly and returns the session cookie.
func (hs *harness) startSession(userID string) *http.Cookie {
	hs.t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if _, err := hs.sessions.Start(context.Background(), rec, req, userID, []string{"pwd"}); err != nil {
		hs.t.Fatal(err)
	}
	c := sessionCookie(rec.Result())
	if c == nil {
		hs.t.Fatal("no session cookie set")
	}
	return c
}

// sessionUser returns the user id of the stored session behind c, or "".
func (hs *harness) sessionUser(c *http.Cookie) string {
	hs.t.Helper()
	s, err := hs.store.GetSession(context.Background(), token.Hash(c.Value), testNow)
	if err != nil {
		return ""
	}
	return s.UserID
}

func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == sessions.CookieName {
			return c
		}
	}
	return nil
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var fieldErrorRE = regexp.MustCompile(`(?s)<p class="(?:field-error|alert)" (?:role="alert" )?id="([a-z_]+)-error">(.*?)</p>`)

// fieldError is the text of the message shown at input name ("form" for the
// whole form), as HTML, or "".
func fieldError(page, name string) string {
	for _, m := range fieldErrorRE.FindAllStringSubmatch(page, -1) {
		if m[1] == name {
			return m[2]
		}
	}
	return ""
}
