package console

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
)

// The way in: the hosted sign-in, a second factor, the role; each missing
// piece sends the browser on or refuses it.
func TestSignIn(t *testing.T) {
	hs := newHarness(t)
	resp := hs.get(Path+"/?x=1", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != signInPath("/console/?x=1") {
		t.Fatalf("no session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = hs.get(signInPath("/console/users?x=1"), nil)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc.Path != "/login" || loc.Query().Get("return_to") != "/console/signin?return_to=%2Fconsole%2Fusers%3Fx%3D1" {
		t.Fatalf("no hosted session: %d %s", resp.StatusCode, loc)
	}

	u := hs.createUser("root", "root@example.com")
	hs.roles.admins[u.ID] = true
	oneFactor := &browser{cookies: []*http.Cookie{hs.hostedSession(u.ID, "pwd")}}
	resp = hs.get(signInPath("/console/users"), oneFactor)
	loc, _ = url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc.Path != "/mfa/step-up" || cookieNamed(resp, SessionCookie) != nil {
		t.Fatalf("one factor: %d %s", resp.StatusCode, loc)
	}

	other := hs.createUser("mallory", "mallory@example.com")
	resp = hs.get(Path+"/signin", &browser{cookies: []*http.Cookie{hs.hostedSession(other.ID, "pwd", "otp", "mfa")}})
	if page := body(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Not an administrator") ||
		cookieNamed(resp, SessionCookie) != nil {
		t.Fatalf("not an administrator: %d", resp.StatusCode)
	}
	if ev := hs.events(model.AuditConsoleRefused); len(ev) != 1 || ev[0].UserID != other.ID {
		t.Errorf("refusal events: %+v", ev)
	}

	b := hs.signIn(u.ID)
	c := b.cookies[1]
	if c.Path != Path || c.SameSite != http.SameSiteStrictMode || !c.HttpOnly {
		t.Errorf("console cookie: %+v", c)
	}
	resp = hs.get(Path+"/", b)
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `aria-current="page">Overview`) || !strings.Contains(page, b.csrf) {
		t.Fatalf("overview: %d\n%s", resp.StatusCode, page)
	}
	if ev := hs.events(model.AuditConsoleSignIn); len(ev) != 1 || ev[0].UserID != u.ID {
		t.Errorf("sign-in events: %+v", ev)
	}
	// The hosted session alone opens nothing in the console.
	if resp := hs.get(Path+"/", &browser{cookies: b.cookies[:1]}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("hosted cookie only: %d", resp.StatusCode)
	}
}

// Revoking the role or suspending the account ends console access on the
// next request, without waiting for the session to end.
func TestRevokedAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		revoke func(hs *harness, u *model.User)
	}{
		{"role revoked", func(hs *harness, u *model.User) { delete(hs.roles.admins, u.ID) }},
		{"suspended", func(hs *harness, u *model.User) {
			st := model.UserSuspended
			if _, err := hs.users.Update(t.Context(), u.ID, users.Patch{Status: &st}); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := newHarness(t)
			u, b := hs.admin("root")
			tc.revoke(hs, u)
			// Suspension also ends every session, so the console's is gone
			// (303 to sign in); a revoked role ends it here (403).
			resp := hs.get(Path+"/", b)
			if c := cookieNamed(resp, SessionCookie); resp.StatusCode == http.StatusForbidden && (c == nil || c.MaxAge >= 0) ||
				resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%d, cookie %v", resp.StatusCode, c)
			}
			fresh := &browser{cookies: []*http.Cookie{hs.hostedSession(u.ID, "pwd", "otp", "mfa")}}
			if resp := hs.get(Path+"/signin", fresh); resp.StatusCode != http.StatusForbidden {
				t.Errorf("signing in again: %d", resp.StatusCode)
			}
			if resp := hs.post(Path+"/signout", nil, b); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("post after the session ended: %d", resp.StatusCode)
			}
		})
	}
}

// Every console form needs this origin and the session's token.
func TestCSRF(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	_, other := hs.admin("second")
	for name, tc := range map[string]struct {
		form url.Values
		site string
	}{
		"no token":             {url.Values{"csrf": {""}}, "same-origin"},
		"wrong token":          {url.Values{"csrf": {"x" + b.csrf[1:]}}, "same-origin"},
		"another session's":    {url.Values{"csrf": {other.csrf}}, "same-origin"},
		"from another website": {nil, "cross-site"},
	} {
		t.Run(name, func(t *testing.T) {
			form := tc.form
			if form == nil {
				form = url.Values{"csrf": {b.csrf}}
			}
			req := postRequest(Path+"/signout", form, b)
			req.Header.Set("Sec-Fetch-Site", tc.site)
			resp := hs.do(req)
			if resp.StatusCode != http.StatusForbidden || cookieNamed(resp, SessionCookie) != nil {
				t.Fatalf("%d", resp.StatusCode)
			}
		})
	}
	if resp := hs.get(Path+"/", b); resp.StatusCode != http.StatusOK {
		t.Fatalf("the refused posts ended the session: %d", resp.StatusCode)
	}
}

func TestSignOut(t *testing.T) {
	hs := newHarness(t)
	u, b := hs.admin("root")
	resp := hs.post(Path+"/signout", nil, b)
	if c := cookieNamed(resp, SessionCookie); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != Path+"/signedout" ||
		c == nil || c.MaxAge >= 0 {
		t.Fatalf("%d, cookie %v", resp.StatusCode, c)
	}
	if resp := hs.get(Path+"/", b); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the console session lives on: %d", resp.StatusCode)
	}
	if s, err := hs.hosted.Current(postRequest("/", nil, b)); err != nil || s.UserID != u.ID {
		t.Errorf("the hosted session ended too: %v", err)
	}
	if ev := hs.events(model.AuditConsoleSignOut); len(ev) != 1 || ev[0].UserID != u.ID {
		t.Errorf("events: %+v", ev)
	}
}

func TestBootstrap(t *testing.T) {
	hs := newHarness(t)
	hs.roles.token = "the-token"
	page := body(t, hs.get(Path+"/bootstrap?token=the-token", nil))
	if !strings.Contains(page, `href="/login?return_to=%2Fconsole%2Fbootstrap%3Ftoken%3Dthe-token"`) {
		t.Fatalf("signed out: no sign-in link\n%s", page)
	}
	u := hs.createUser("first", "first@example.com")
	b := &browser{cookies: []*http.Cookie{hs.hostedSession(u.ID, "pwd")}}
	if page := body(t, hs.get(Path+"/bootstrap?token=the-token", b)); !strings.Contains(page, "first") ||
		!strings.Contains(page, `name="token" value="the-token"`) {
		t.Fatalf("signed in: no form\n%s", page)
	}
	if resp := hs.post(Path+"/bootstrap", url.Values{"token": {"wrong"}}, b); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	resp := hs.post(Path+"/bootstrap", url.Values{"token": {"the-token"}}, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != Path+"/signin" || !hs.roles.admins[u.ID] {
		t.Fatalf("claim: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := hs.post(Path+"/bootstrap", url.Values{"token": {"the-token"}}, b); resp.StatusCode != http.StatusConflict {
		t.Errorf("second claim: %d", resp.StatusCode)
	}
	req := postRequest(Path+"/bootstrap", url.Values{"token": {"the-token"}}, b)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp := hs.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site claim: %d", resp.StatusCode)
	}
}

func TestConsoleReturn(t *testing.T) {
	for in, want := range map[string]string{
		"/console/users?q=a":      "/console/users?q=a",
		"/console/":               "/console/",
		"":                        "/console/",
		"/":                       "/console/",
		"https://evil.example/":   "/console/",
		"//evil.example/console/": "/console/",
		"/console//evil.example":  "/console/",
		"/console/\\evil":         "/console/",
		"/consoleevil":            "/console/",
		"/console/signin":         "/console/",
		"/console/signout":        "/console/",
	} {
		if got := consoleReturn(in); got != want {
			t.Errorf("consoleReturn(%q) = %q, want %q", in, got, want)
		}
	}
}

// The pages answer in both languages with the strict policy, and every
// key a template uses is in both catalogs.
func TestLanguagesAndHeaders(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	resp := hs.get(Path+"/?lang=zh-CN", b)
	page := body(t, resp)
	if !strings.Contains(page, `<html lang="zh-CN">`) || !strings.Contains(page, "概览") {
		t.Fatalf("Chinese overview:\n%s", page)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "Cache-Control"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s", h)
		}
	}
	if c := cookieNamed(resp, i18n.CookieName); c == nil || c.Value != "zh-CN" {
		t.Errorf("language cookie: %v", c)
	}
}

func TestCatalogComplete(t *testing.T) {
	for k := range catalog[i18n.English] {
		if _, ok := catalog[i18n.Chinese][k]; !ok {
			t.Errorf("%s: no Chinese", k)
		}
	}
	for k := range catalog[i18n.Chinese] {
		if _, ok := catalog[i18n.English][k]; !ok {
			t.Errorf("%s: no English", k)
		}
	}
	files, _ := filepath.Glob("templates/*.html")
	used := regexp.MustCompile(`\bt "([a-z0-9_.]+)"`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := catalog[i18n.English][m[1]]; !ok {
				t.Errorf("%s uses %q, which the catalog lacks", f, m[1])
			}
		}
	}
}

func postRequest(path string, form url.Values, b *browser) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	return req
}

// A console session ends after SessionIdleTTL unused and SessionTTL after
// sign-in, however much it is used.
func TestSessionLifetimes(t *testing.T) {
	hs := newHarness(t)
	u, b := hs.admin("root")
	hs.now = hs.now.Add(SessionIdleTTL - time.Minute)
	if resp := hs.get(Path+"/", b); resp.StatusCode != http.StatusOK {
		t.Fatalf("used within the idle limit: %d", resp.StatusCode)
	}
	hs.now = hs.now.Add(SessionIdleTTL + time.Minute)
	if resp := hs.get(Path+"/", b); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("idle for longer than %v: %d", SessionIdleTTL, resp.StatusCode)
	}
	b = hs.signIn(u.ID)
	end := hs.now.Add(SessionTTL)
	for ; hs.now.Before(end); hs.now = hs.now.Add(SessionIdleTTL - time.Minute) {
		if resp := hs.get(Path+"/", b); resp.StatusCode != http.StatusOK {
			t.Fatalf("used every %v: %d at %v", SessionIdleTTL-time.Minute, resp.StatusCode, hs.now)
		}
	}
	if resp := hs.get(Path+"/", b); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("%v after sign-in: %d", SessionTTL, resp.StatusCode)
	}
}

// An id that is not text names nothing: 404, before any lookup.
func TestPathNotText(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	for _, path := range []string{Path + "/apps/%ff", Path + "/apps/a%00b"} {
		if resp := hs.get(path, b); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		if resp := hs.post(path+"/delete", nil, b); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s/delete: %d", path, resp.StatusCode)
		}
	}
}
