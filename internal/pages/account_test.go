package pages

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/users"
)

func TestAccountNeedsSignIn(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	for _, resp := range []*http.Response{hs.get("/account"), hs.post("/account/password", url.Values{"password": {"a brand new secret"}})} {
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?return_to=%2Faccount" {
			t.Errorf("%s /account signed out: %d to %q, want 303 to sign in", resp.Request.Method, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func TestAccountChangePassword(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	dora := hs.createUser("dora", "", "", "correct horse battery")
	here, elsewhere := hs.startSession(dora.ID), hs.startSession(dora.ID)
	b := body(t, hs.get("/", here))
	if !strings.Contains(b, `href="/account"`) {
		t.Errorf("the signed-in home page does not link to the account page:\n%s", b)
	}
	b = body(t, hs.get("/account", here))
	for _, s := range []string{`action="/account/password"`, `autocomplete="current-password"`, `autocomplete="new-password"`} {
		if !strings.Contains(b, s) {
			t.Errorf("the account page lacks %s:\n%s", s, b)
		}
	}
	change := func(old, pw, confirm string) *http.Response {
		return hs.post("/account/password", url.Values{"old_password": {old}, "password": {pw}, "password_confirm": {confirm}}, here)
	}
	for _, tc := range []struct {
		name, old, pw, confirm, field string
		status                        int
	}{
		{"no old password", "", "a brand new secret", "a brand new secret", "old_password", http.StatusBadRequest},
		{"weak", "correct horse battery", "password", "password", "password", http.StatusBadRequest},
		{"mismatch", "correct horse battery", "a brand new secret", "another", "password_confirm", http.StatusBadRequest},
		{"wrong old password", "not it", "a brand new secret", "a brand new secret", "old_password", http.StatusUnauthorized},
	} {
		resp := change(tc.old, tc.pw, tc.confirm)
		b := body(t, resp)
		if resp.StatusCode != tc.status || fieldError(b, tc.field) == "" {
			t.Errorf("%s: %d, want %d with an error at %s\n%s", tc.name, resp.StatusCode, tc.status, tc.field, b)
		}
	}
	// A cross-origin post is refused before anything is read.
	req := httptest.NewRequest(http.MethodPost, "/account/password", strings.NewReader(url.Values{"old_password": {"correct horse battery"},
		"password": {"evil new secret"}, "password_confirm": {"evil new secret"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(here)
	if resp := hs.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site change: %d, want 403", resp.StatusCode)
	}
	resp := change("correct horse battery", "a brand new secret", "a brand new secret")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?changed=password" {
		t.Fatalf("change: %d to %q, want 303 to the account page", resp.StatusCode, resp.Header.Get("Location"))
	}
	fresh := sessionCookie(resp)
	if fresh == nil || hs.sessionUser(fresh) != dora.ID {
		t.Fatal("this browser was not kept signed in")
	}
	if hs.sessionUser(here) != "" || hs.sessionUser(elsewhere) != "" {
		t.Error("the sessions from before the change survived it")
	}
	if b := body(t, hs.get("/account?changed=password", fresh)); !strings.Contains(b, `role="status"`) {
		t.Errorf("no notice of the change:\n%s", b)
	}
	for pw, status := range map[string]int{"correct horse battery": http.StatusUnauthorized, "a brand new secret": http.StatusSeeOther} {
		if resp := hs.post("/login", url.Values{"username": {"dora"}, "password": {pw}}); resp.StatusCode != status {
			t.Errorf("sign in with %q: %d, want %d", pw, resp.StatusCode, status)
		}
	}
}

// A user without a password (signed up by a code) sets one without being asked for the old.
func TestAccountSetFirstPassword(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	cody, err := hs.users.Create(context.Background(), users.CreateParams{Email: "cody@example.com", NoPassword: true})
	if err != nil {
		t.Fatal(err)
	}
	c := hs.startSession(cody.ID)
	if b := body(t, hs.get("/account", c)); strings.Contains(b, "old_password") {
		t.Errorf("the current password is asked of a user without one:\n%s", b)
	}
	resp := hs.post("/account/password", url.Values{"password": {"a brand new secret"}, "password_confirm": {"a brand new secret"}}, c)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set a first password: %d, want 303\n%s", resp.StatusCode, body(t, resp))
	}
	if resp := hs.post("/login", url.Values{"username": {"cody@example.com"}, "password": {"a brand new secret"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign in with the new password: %d, want 303", resp.StatusCode)
	}
}
