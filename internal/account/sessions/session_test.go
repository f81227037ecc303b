package sessions

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

func newManager(t *testing.T) (*Manager, *time.Time, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return &Manager{Store: st, Tokens: token.NewSource(rand.Reader), Now: func() time.Time { return now },
		TTL: 10 * time.Hour, IdleTTL: time.Hour}, &now, st
}

// start signs userID in and returns a request carrying the new cookie.
func start(t *testing.T, m *Manager, prev *http.Request, userID string) *http.Request {
	t.Helper()
	if prev == nil {
		prev = httptest.NewRequest(http.MethodPost, "/login", nil)
	}
	rec := httptest.NewRecorder()
	if _, err := m.Start(t.Context(), rec, prev, userID, []string{"pwd"}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	return req
}

func TestIdleAndAbsoluteLifetimes(t *testing.T) {
	m, now, _ := newManager(t)
	req := start(t, m, nil, "u1")
	// Used every 50 minutes: alive, each use moves the idle deadline.
	for range 5 {
		*now = now.Add(50 * time.Minute)
		if _, err := m.Current(req); err != nil {
			t.Fatalf("after %v: %v", now, err)
		}
	}
	// Unused for longer than the idle limit: gone, and deleted.
	*now = now.Add(time.Hour + time.Second)
	if _, err := m.Current(req); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("idle session: err = %v; want ErrNotFound", err)
	}
	*now = now.Add(-2 * time.Hour)
	if _, err := m.Current(req); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("an idle-expired session came back: %v", err)
	}

	// Absolute: used every 30 minutes, it still ends TTL after login.
	req = start(t, m, nil, "u2")
	for range 19 {
		*now = now.Add(30 * time.Minute)
		if _, err := m.Current(req); err != nil {
			t.Fatalf("at %v: %v", now, err)
		}
	}
	*now = now.Add(30 * time.Minute)
	if _, err := m.Current(req); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("10h after login: err = %v; want ErrNotFound", err)
	}
}

func TestTouchAtMostEveryMinute(t *testing.T) {
	m, now, st := newManager(t)
	req := start(t, m, nil, "u1")
	c, _ := req.Cookie(CookieName)
	created := *now
	*now = now.Add(30 * time.Second)
	if _, err := m.Current(req); err != nil {
		t.Fatal(err)
	}
	s, err := st.GetSession(t.Context(), token.Hash(c.Value), *now)
	if err != nil {
		t.Fatal(err)
	}
	if !s.LastSeenAt.Equal(created) {
		t.Errorf("LastSeenAt written after 30s: %v", s.LastSeenAt)
	}
	*now = now.Add(time.Minute)
	if _, err := m.Current(req); err != nil {
		t.Fatal(err)
	}
	if s, _ = st.GetSession(t.Context(), token.Hash(c.Value), *now); !s.LastSeenAt.Equal(*now) {
		t.Errorf("LastSeenAt = %v; want %v", s.LastSeenAt, *now)
	}
}

// TestLoginGetsNewID: a login ends the session the browser carried, so a
// fixed session id cannot be planted before login.
func TestLoginGetsNewID(t *testing.T) {
	m, _, _ := newManager(t)
	first := start(t, m, nil, "u1")
	second := start(t, m, first, "u1")
	c1, _ := first.Cookie(CookieName)
	c2, _ := second.Cookie(CookieName)
	if c1.Value == c2.Value {
		t.Fatal("a second login kept the session id")
	}
	if _, err := m.Current(first); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the pre-login session still works: %v", err)
	}
	if _, err := m.Current(second); err != nil {
		t.Errorf("the new session: %v", err)
	}
}

// A session of another kind has its own cookie, and neither kind's cookie
// value opens the other's session, even carried under the other's name.
func TestKindsKeptApart(t *testing.T) {
	hosted, _, st := newManager(t)
	console := &Manager{Store: st, Tokens: hosted.Tokens, Now: hosted.Now, TTL: time.Hour, IdleTTL: time.Minute,
		Cookie: "genauth_console", Path: "/console", Strict: true}
	rec := httptest.NewRecorder()
	if _, err := console.Start(t.Context(), rec, httptest.NewRequest(http.MethodGet, "/console", nil), "u1", []string{"pwd", "otp", "mfa"}); err != nil {
		t.Fatal(err)
	}
	cs := rec.Result().Cookies()
	if len(cs) != 1 || cs[0].Name != "genauth_console" || cs[0].Path != "/console" || cs[0].SameSite != http.SameSiteStrictMode || !cs[0].HttpOnly {
		t.Fatalf("console cookie = %+v", cs)
	}
	req := httptest.NewRequest(http.MethodGet, "/console", nil)
	req.AddCookie(cs[0])
	if s, err := console.Current(req); err != nil || s.UserID != "u1" {
		t.Fatalf("console session: %v, %v", s, err)
	}
	asHosted := httptest.NewRequest(http.MethodGet, "/", nil)
	asHosted.AddCookie(&http.Cookie{Name: CookieName, Value: cs[0].Value})
	if _, err := hosted.Current(asHosted); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("a console cookie opened a hosted session: %v", err)
	}
	h, _ := start(t, hosted, nil, "u1").Cookie(CookieName)
	asConsole := httptest.NewRequest(http.MethodGet, "/console", nil)
	asConsole.AddCookie(&http.Cookie{Name: "genauth_console", Value: h.Value})
	if _, err := console.Current(asConsole); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("a hosted cookie opened a console session: %v", err)
	}
}
