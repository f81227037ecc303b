package testserver

import (
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/admins"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/console"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// ConsoleAdmin makes a new administrator, signs them in to the admin
// console as a browser would after the hosted sign-in with a second factor
// (the hosted session is made directly, with amr pwd, otp and mfa; the
// console session through /console/signin), and returns the browser's
// Cookie header and the console's form token.
func (s *Server) ConsoleAdmin(t testing.TB, username string) (u *model.User, cookie, csrf string) {
	t.Helper()
	ctx := t.Context()
	u = s.CreateUser(t, username, "console-admin-password")
	if err := s.Store.GrantRole(ctx, u.ID, admins.Role, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	hosted := &sessions.Manager{Store: s.Store, Tokens: token.NewSource(rand.Reader), Now: s.Clock.Now}
	rec := httptest.NewRecorder()
	if _, err := hosted.Start(ctx, rec, httptest.NewRequest(http.MethodGet, "/", nil), u.ID, []string{"pwd", "otp", "mfa"}); err != nil {
		t.Fatal(err)
	}
	cookie = cookieHeader(rec.Result().Cookies())
	client := Browser(t)
	get := func(path string) *http.Response {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
		req.Header.Set("Cookie", cookie)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get(console.Path + "/signin")
	resp.Body.Close()
	var consoleCookies []*http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == console.SessionCookie {
			consoleCookies = append(consoleCookies, c)
		}
	}
	if resp.StatusCode != http.StatusSeeOther || len(consoleCookies) != 1 {
		t.Fatalf("console sign-in: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	cookie += "; " + cookieHeader(consoleCookies)
	resp = get(console.Path + "/")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("console overview: %d, form token found: %v", resp.StatusCode, m != nil)
	}
	return u, cookie, string(m[1])
}

func cookieHeader(cs []*http.Cookie) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}
