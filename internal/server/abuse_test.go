package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// postLogin submits the hosted login form and returns the status and page.
func postLogin(t *testing.T, srv *testserver.Server, browser *http.Client, user, pass string) (int, string) {
	t.Helper()
	resp, err := browser.PostForm(srv.URL+"/login", url.Values{"username": {user}, "password": {pass}, "return_to": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestLoginLockout(t *testing.T) {
	srv := testserver.Start(t)
	u := srv.CreateUser(t, "ada", "the right password")
	browser := testserver.Browser(t)
	const lockedText = "Too many failed attempts"

	// Known and unknown accounts lock the same way after five failures.
	for _, name := range []string{"ada", "nobody-here"} {
		for i := 1; i <= 4; i++ {
			if code, body := postLogin(t, srv, browser, name, "wrong password"); code != http.StatusUnauthorized || strings.Contains(body, lockedText) {
				t.Fatalf("%s failure %d: status %d; want 401, not locked", name, i, code)
			}
		}
		if code, body := postLogin(t, srv, browser, name, "wrong password"); code != http.StatusTooManyRequests || !strings.Contains(body, lockedText) {
			t.Fatalf("%s failure 5: status %d; want 429 with the lockout message", name, code)
		}
	}
	// Locked: even the right password is refused.
	if code, _ := postLogin(t, srv, browser, "ada", "the right password"); code != http.StatusTooManyRequests {
		t.Fatalf("right password while locked: status %d; want 429", code)
	}
	// A minute later it works again, and success clears the count.
	srv.Clock.Advance(time.Minute + time.Second)
	if code, _ := postLogin(t, srv, browser, "ada", "the right password"); code != http.StatusSeeOther {
		t.Fatalf("after the lock: status %d; want 303", code)
	}
	if code, _ := postLogin(t, srv, browser, "ada", "wrong password"); code != http.StatusUnauthorized {
		t.Fatalf("a failure after a success: status %d; want 401 (count cleared)", code)
	}

	events, err := srv.Store.ListAuditEvents(t.Context(), store.AuditQuery{UserID: u.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range events {
		count[e.Type]++
		if e.IP != "127.0.0.1" {
			t.Errorf("event %s from IP %q; want 127.0.0.1", e.Type, e.IP)
		}
	}
	if count[model.AuditLoginFailure] != 6 || count[model.AuditLoginLockout] != 1 || count[model.AuditLoginSuccess] != 1 {
		t.Errorf("audit events for ada: %v; want 6 failures (incl. one while locked), 1 lockout, 1 success", count)
	}
}

func TestRegistrationLimit(t *testing.T) {
	srv := testserver.Start(t)
	for i := range 11 {
		browser := testserver.Browser(t)
		resp, err := browser.PostForm(srv.URL+"/register", url.Values{
			"username": {"user" + string(rune('a'+i))}, "password": {"long enough pw"}, "password_confirm": {"long enough pw"},
		})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := http.StatusSeeOther
		if i == 10 {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want {
			t.Fatalf("registration %d: status %d; want %d", i+1, resp.StatusCode, want)
		}
	}
	if _, err := srv.Store.FindUserByLogin(t.Context(), "userk"); err == nil {
		t.Error("the refused registration created a user")
	}
}

func TestTokenEventsAudited(t *testing.T) {
	srv := testserver.Start(t)
	app, secret := srv.CreateApp(t, apps.CreateParams{GrantTypes: []string{model.GrantClientCredentials}})
	creds := url.Values{"client_id": {app.ID}, "client_secret": {secret}}
	form := func(extra url.Values) url.Values {
		f := url.Values{}
		for k, v := range creds {
			f[k] = v
		}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	resp, err := http.PostForm(srv.URL+"/oauth/token", form(url.Values{"grant_type": {"client_credentials"}}))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("client_credentials: %v", err)
	}
	resp, err = http.PostForm(srv.URL+"/oauth/token/revocation", form(url.Values{"token": {tok.AccessToken}}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	events, err := srv.Store.ListAuditEvents(t.Context(), store.AuditQuery{ClientID: app.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Type != model.AuditTokenRevoke || events[1].Type != model.AuditTokenIssue || events[1].Detail != "client_credentials" {
		t.Fatalf("events %+v; want a client_credentials issue, then a revocation", events)
	}
}
