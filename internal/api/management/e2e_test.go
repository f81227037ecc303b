package management_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// form posts a form to the server and decodes the JSON answer.
func (e *env) form(t *testing.T, path string, v url.Values, header map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+path, strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, val := range header {
		req.Header.Set(k, val)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// TestBackendLogout creates an application and a user through the API, signs
// the user in through the hosted page, then kicks them out: their tokens are
// inactive and their browser session is gone. An MFA reset, suspension, password reset
// and deletion follow.
func TestBackendLogout(t *testing.T) {
	// The cookie jar judges cookie expiry by the real clock.
	e := start(t, time.Now().UTC().Truncate(time.Millisecond))
	e.auth = e.signScheme(signOpts{})
	const callback = "http://localhost:3000/callback"

	var app application
	ok(t, e.call(t, http.MethodPost, "create-application", ps("appName", "Shop"), p("redirectUris", `["`+callback+`"]`),
		ps("initLoginUri", "http://localhost:3000/login")), &app)
	var sec struct{ Secret string }
	ok(t, e.call(t, http.MethodPost, "refresh-application-secret", ps("appId", app.AppID)), &sec)
	var u user
	ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "carol"), ps("password", "carol-password")), &u)

	hosted := &testserver.Server{URL: e.url}
	authorize := e.url + "/oauth/auth?" + url.Values{"client_id": {app.AppID}, "redirect_uri": {callback},
		"response_type": {"code"}, "scope": {"openid profile"}, "state": {"s"}}.Encode()
	client := url.Values{"client_id": {app.AppID}, "client_secret": {sec.Secret}}
	with := func(v url.Values) url.Values {
		for k, vs := range client {
			v[k] = vs
		}
		return v
	}
	signIn := func(t *testing.T, browser *http.Client, password string) (access, refresh string) {
		t.Helper()
		loc := hosted.Authorize(t, browser, authorize, "carol", password)
		code := loc.Query().Get("code")
		if code == "" {
			t.Fatalf("no code in %s", loc)
		}
		status, tok := e.form(t, "/oauth/token", with(url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {callback}}), nil)
		if status != 200 {
			t.Fatalf("token: %d %v", status, tok)
		}
		return tok["access_token"].(string), tok["refresh_token"].(string)
	}
	active := func(t *testing.T, tok string) bool {
		t.Helper()
		_, out := e.form(t, "/oauth/token/introspection", with(url.Values{"token": {tok}}), nil)
		return out["active"] == true
	}
	refreshes := func(t *testing.T, tok string) bool {
		t.Helper()
		status, _ := e.form(t, "/oauth/token", with(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}}), nil)
		return status == 200
	}
	userinfo := func(t *testing.T, tok string) int {
		t.Helper()
		status, _ := e.form(t, "/oauth/me", url.Values{"access_token": {tok}}, nil)
		return status
	}
	needsLogin := func(t *testing.T, browser *http.Client) bool {
		t.Helper()
		resp, err := browser.Get(authorize)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := resp.Location()
		return err == nil && loc.Path == "/login"
	}

	browser := testserver.Browser(t)
	access, refresh := signIn(t, browser, "carol-password")
	if !active(t, access) || needsLogin(t, browser) {
		t.Fatal("not signed in after the hosted login")
	}

	var session struct{ Active bool }
	ok(t, e.call(t, http.MethodPost, "check-session-status", ps("appId", app.AppID), ps("userId", u.UserID)), &session)
	if !session.Active {
		t.Error("check-session-status: not active")
	}
	var apps []struct {
		AppID, AppName, AppLogo, AppLoginURL string
	}
	ok(t, e.call(t, http.MethodGet, "get-user-loggedin-apps", ps("userId", u.UserID)), &apps)
	if len(apps) != 1 || apps[0].AppID != app.AppID || apps[0].AppLoginURL != "http://localhost:3000/login" {
		t.Errorf("get-user-loggedin-apps = %+v", apps)
	}
	var history struct {
		TotalCount int `json:"totalCount"`
		List       []struct {
			AppID, AppName, ClientIP, UserAgent, Time string
		} `json:"list"`
	}
	ok(t, e.call(t, http.MethodGet, "get-user-login-history", ps("userId", u.UserID), ps("appId", app.AppID)), &history)
	if history.TotalCount != 1 || history.List[0].AppName != "Shop" || history.List[0].ClientIP != "127.0.0.1" ||
		history.List[0].UserAgent == "" || history.List[0].Time != e.clock.Now().Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("login history = %+v", history)
	}
	var got user
	ok(t, e.call(t, http.MethodGet, "get-user", ps("userId", u.UserID)), &got)
	if got.LoginsCount != 1 || got.LastIP != "127.0.0.1" || got.LastLogin == "" {
		t.Errorf("user after login: %+v", got)
	}
	var users userPage
	ok(t, e.call(t, http.MethodPost, "list-application-active-users", ps("appId", app.AppID)), &users)
	if users.TotalCount != 1 || users.List[0].UserID != u.UserID {
		t.Errorf("active users = %+v", users)
	}

	t.Run("kick-users", func(t *testing.T) {
		ok(t, e.call(t, http.MethodPost, "kick-users", ps("userId", u.UserID), p("appIds", `["`+app.AppID+`"]`)), nil)
		if active(t, access) || active(t, refresh) {
			t.Error("a token is still active after kick-users")
		}
		if refreshes(t, refresh) {
			t.Error("the refresh token still works after kick-users")
		}
		if !needsLogin(t, browser) {
			t.Error("the browser session survived kick-users")
		}
		ok(t, e.call(t, http.MethodPost, "check-session-status", ps("appId", app.AppID), ps("userId", u.UserID)), &session)
		if session.Active {
			t.Error("check-session-status: still active")
		}
	})

	t.Run("reset-user-mfa", func(t *testing.T) {
		access, refresh := signIn(t, browser, "carol-password")
		ok(t, e.call(t, http.MethodPost, "reset-user-mfa", ps("userId", u.UserID)), nil)
		if active(t, access) || refreshes(t, refresh) {
			t.Error("a token still works after reset-user-mfa")
		}
		if !needsLogin(t, browser) {
			t.Error("the browser session survived reset-user-mfa")
		}
	})

	t.Run("suspend", func(t *testing.T) {
		access, refresh := signIn(t, browser, "carol-password")
		ok(t, e.call(t, http.MethodPost, "update-user", ps("userId", u.UserID), ps("status", "Suspended")), nil)
		if refreshes(t, refresh) {
			t.Error("a suspended user's refresh token still works")
		}
		if status := userinfo(t, access); status != http.StatusUnauthorized {
			t.Errorf("userinfo of a suspended user: %d", status)
		}
		if !needsLogin(t, browser) {
			t.Error("the browser session survived suspension")
		}
		status, _ := e.form(t, "/login", url.Values{"username": {"carol"}, "password": {"carol-password"}}, nil)
		if status != http.StatusForbidden {
			t.Errorf("hosted login of a suspended user: %d, want 403", status)
		}
		ok(t, e.call(t, http.MethodPost, "update-user", ps("userId", u.UserID), ps("status", "Activated")), nil)
	})

	t.Run("password reset", func(t *testing.T) {
		fresh := testserver.Browser(t)
		signIn(t, fresh, "carol-password")
		ok(t, e.call(t, http.MethodPost, "update-user", ps("userId", u.UserID), ps("password", "new-carol-password")), nil)
		if !needsLogin(t, fresh) {
			t.Error("the browser session survived the password reset")
		}
		status, _ := e.form(t, "/login", url.Values{"username": {"carol"}, "password": {"carol-password"}}, nil)
		if status != http.StatusUnauthorized {
			t.Errorf("login with the old password: %d", status)
		}
		signIn(t, testserver.Browser(t), "new-carol-password")
	})

	t.Run("delete", func(t *testing.T) {
		access, _ := signIn(t, testserver.Browser(t), "new-carol-password")
		ok(t, e.call(t, http.MethodPost, "delete-users-batch", p("userIds", `["`+u.UserID+`"]`)), nil)
		if active(t, access) {
			t.Error("a deleted user's token is active")
		}
		failed(t, e.call(t, http.MethodGet, "get-user-login-history", ps("userId", u.UserID)), 404, 2004, "")
	})
}
