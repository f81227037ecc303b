package login

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRegister(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	hs.createUser("taken", "taken@example.com", "", "correct horse")
	authorize := "/oauth/auth?client_id=abc&state=s"
	tests := []struct {
		name                               string
		username, email, password, confirm string
		returnTo                           string
		wantStatus                         int
		wantText                           string // in the page when the form comes back
		wantLocation                       string
	}{
		{"username only", "bob", "", "long enough", "long enough", authorize, http.StatusSeeOther, "", authorize},
		{"email only", "", "carol@example.com", "long enough", "long enough", "", http.StatusSeeOther, "", "/"},
		{"both", "dave", "dave@example.com", "long enough", "long enough", "//evil.com", http.StatusSeeOther, "", "/"},
		{"mismatch", "erin", "", "long enough", "long enougH", authorize, http.StatusBadRequest, "The two passwords do not match.", ""},
		{"short password", "frank", "", "short", "short", authorize, http.StatusBadRequest, "at least 8 characters", ""},
		{"no username or email", "", "", "long enough", "long enough", authorize, http.StatusBadRequest, "Enter a username, an email address, or both.", ""},
		{"bad email", "", "not-an-email", "long enough", "long enough", authorize, http.StatusBadRequest, "is not an email address", ""},
		{"bad username", "has space", "", "long enough", "long enough", authorize, http.StatusBadRequest, "may contain only letters", ""},
		{"taken username", "taken", "", "long enough", "long enough", authorize, http.StatusConflict, "already exists", ""},
		{"taken email", "", "TAKEN@example.com", "long enough", "long enough", authorize, http.StatusConflict, "already exists", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := hs.post("/register", url.Values{
				"username": {tt.username}, "email": {tt.email},
				"password": {tt.password}, "password_confirm": {tt.confirm},
				"return_to": {tt.returnTo},
			})
			page := body(t, resp)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.wantStatus, page)
			}
			c := sessionCookie(resp)
			if tt.wantLocation == "" {
				if !strings.Contains(page, tt.wantText) {
					t.Errorf("page lacks %q:\n%s", tt.wantText, page)
				}
				if c != nil {
					t.Error("failed registration set a cookie")
				}
				if !strings.Contains(page, `name="username" type="text" value="`+tt.username+`"`) ||
					!strings.Contains(page, `name="email" type="email" value="`+tt.email+`"`) {
					t.Errorf("entered username or email not kept:\n%s", page)
				}
				if strings.Contains(page, tt.password) {
					t.Error("the password is echoed")
				}
				if !strings.Contains(page, `name="return_to" value="`+strings.ReplaceAll(tt.returnTo, "&", "&amp;")+`"`) {
					t.Errorf("return_to not kept:\n%s", page)
				}
				return
			}
			if got := resp.Header.Get("Location"); got != tt.wantLocation {
				t.Errorf("Location = %q, want %q", got, tt.wantLocation)
			}
			login := tt.username
			if login == "" {
				login = tt.email
			}
			u, err := hs.store.FindUserByLogin(context.Background(), login)
			if err != nil {
				t.Fatalf("new user not stored: %v", err)
			}
			if c == nil || hs.sessionUser(c) != u.ID {
				t.Errorf("no session for the new user")
			}
		})
	}
}

func TestRegisterFieldErrors(t *testing.T) {
	hs := newHarness(t, "http://localhost:8080")
	resp := hs.post("/register", url.Values{"username": {"zed"}, "password": {"short"}, "password_confirm": {"other"}})
	page := body(t, resp)
	for _, want := range []string{
		`aria-describedby="password-error"`, `id="password-error"`,
		`aria-describedby="password_confirm-error"`, `id="password_confirm-error">The two passwords do not match.`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
}
