package pages

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestFrontChannelLogout(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	alice := hs.createUser("alice", "", "", "correct horse")
	a := hs.createApp("App A", "http://localhost:3000/", "http://localhost:3000/?a=1&b=2")
	b := hs.createApp("App B", "https://b.example/bye")
	const withQuery = "http://localhost:3000/?a=1&b=2"
	tests := []struct {
		name         string
		rawQuery     string
		wantStatus   int
		wantLocation string
	}{
		{"allowed", "redirect_uri=http://localhost:3000/", http.StatusFound, "http://localhost:3000/"},
		{"allowed for another app", "redirect_uri=https://b.example/bye", http.StatusFound, "https://b.example/bye"},
		{"raw with own query", "redirect_uri=" + withQuery, http.StatusFound, withQuery},
		{"encoded", "redirect_uri=" + url.QueryEscape(withQuery), http.StatusFound, withQuery},
		{"app_id first, raw", "app_id=" + a.ID + "&redirect_uri=" + withQuery, http.StatusFound, withQuery},
		{"app_id after, encoded", "redirect_uri=" + url.QueryEscape("http://localhost:3000/") + "&app_id=" + a.ID, http.StatusFound, "http://localhost:3000/"},
		{"app_id after, raw with own query", "redirect_uri=" + withQuery + "&app_id=" + a.ID, http.StatusFound, withQuery},
		{"app_id after, raw", "redirect_uri=http://localhost:3000/&app_id=" + a.ID, http.StatusFound, "http://localhost:3000/"},
		{"forbidden", "redirect_uri=https://evil.example/", http.StatusBadRequest, ""},
		{"forbidden encoded", "redirect_uri=" + url.QueryEscape("https://evil.example/?a=1&b=2"), http.StatusBadRequest, ""},
		{"prefix of allowed", "redirect_uri=http://localhost:3000/?a=1", http.StatusBadRequest, ""},
		{"allowed plus more", "redirect_uri=" + withQuery + "&c=3", http.StatusBadRequest, ""},
		{"allowed plus path", "redirect_uri=http://localhost:3000/evil", http.StatusBadRequest, ""},
		{"other app's uri, app_id first", "app_id=" + b.ID + "&redirect_uri=http://localhost:3000/", http.StatusBadRequest, ""},
		{"other app's uri, app_id after", "redirect_uri=http://localhost:3000/&app_id=" + b.ID, http.StatusBadRequest, ""},
		{"unknown app_id", "app_id=nope&redirect_uri=http://localhost:3000/", http.StatusBadRequest, ""},
		{"no redirect_uri", "", http.StatusOK, ""},
		{"empty redirect_uri", "redirect_uri=", http.StatusOK, ""},
		{"only app_id", "app_id=" + a.ID, http.StatusOK, ""},
		{"other parameter ending in redirect_uri", "post_logout_redirect_uri=http://localhost:3000/", http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := hs.startSession(alice.ID)
			target := "/login/profile/logout"
			if tt.rawQuery != "" {
				target += "?" + tt.rawQuery
			}
			resp := hs.get(target, c)
			page := body(t, resp)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.wantStatus, page)
			}
			if got := resp.Header.Get("Location"); got != tt.wantLocation {
				t.Errorf("Location = %q, want %q", got, tt.wantLocation)
			}
			refused := strings.Contains(page, "not on its list of logout callbacks")
			if refused != (tt.wantStatus == http.StatusBadRequest) {
				t.Errorf("refusal note shown = %v with status %d:\n%s", refused, resp.StatusCode, page)
			}
			if tt.wantStatus != http.StatusFound && !strings.Contains(page, "You are signed out") {
				t.Errorf("not the signed-out page:\n%s", page)
			}
			assertSignedOut(t, hs, resp, c)
		})
	}
}

// assertSignedOut checks that resp cleared the cookie and that old no longer
// authenticates anywhere.
func assertSignedOut(t *testing.T, hs *harness, resp *http.Response, old *http.Cookie) {
	t.Helper()
	cleared := sessionCookie(resp)
	if cleared == nil || cleared.Value != "" || cleared.MaxAge >= 0 {
		t.Errorf("cookie not cleared: %v", cleared)
	}
	if hs.sessionUser(old) != "" {
		t.Error("the session is still stored")
	}
	if home := body(t, hs.get("/", old)); !strings.Contains(home, "You are not signed in") {
		t.Errorf("the old cookie still signs in:\n%s", home)
	}
}

func TestHomeAndLogout(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	alice := hs.createUser("alice", "", "", "correct horse")

	resp := hs.get("/")
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "You are not signed in") ||
		!strings.Contains(page, `href="/login"`) || !strings.Contains(page, `href="/register"`) {
		t.Fatalf("anonymous home page (status %d):\n%s", resp.StatusCode, page)
	}
	if resp := hs.get("/nothing-here"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nothing-here: status %d, want 404", resp.StatusCode)
	}

	c := hs.startSession(alice.ID)
	page = body(t, hs.get("/", c))
	if !strings.Contains(page, "Signed in as <strong>alice</strong>") || !strings.Contains(page, `action="/logout"`) {
		t.Fatalf("signed-in home page:\n%s", page)
	}

	resp = hs.post("/logout", nil, c)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("POST /logout: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	assertSignedOut(t, hs, resp, c)
}
