package main

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/testkit/blackbox"
)

// TestReadmeWalkthrough follows the README's walkthrough as a new user
// would, with curl's requests: the first start's output, registration,
// the authorize link it printed, the code exchange, userinfo,
// introspection, a refresh (rotation: keep the new refresh token),
// revocation and logout. Each step checks what the README shows.
func TestReadmeWalkthrough(t *testing.T) {
	srv := startServe(t, filepath.Join(t.TempDir(), "data"))
	const public = "http://localhost:8080" // serve's default public URL, as in the README
	appID, appSecret := blackbox.Field(srv.lines, "app_id"), blackbox.Field(srv.lines, "app_secret")
	printed := strings.Join(srv.lines, "\n")
	if !strings.Contains(printed, demoRedirectURI+"?code=...&iss=...&state=demo") {
		t.Errorf("first start does not show the callback with code, iss and state:\n%s", printed)
	}
	// The link the first start printed, sent to where the server listens.
	var authorize string
	for _, l := range srv.lines {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, public+"/oauth/auth?") {
			authorize = srv.baseURL + strings.TrimPrefix(l, public)
		}
	}
	if authorize == "" {
		t.Fatalf("first start printed no authorize link:\n%s", printed)
	}

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	curl := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values, header ...string) (int, http.Header, string) {
		t.Helper()
		target := path
		if strings.HasPrefix(path, "/") {
			target = srv.baseURL + path
		}
		req, err := http.NewRequest(method, target, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := curl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(body)
	}
	app := url.Values{"client_id": {appID}, "client_secret": {appSecret}}
	with := func(v url.Values, kv ...string) url.Values {
		out := url.Values{}
		for k, vs := range v {
			out[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tokenAnswer := func(body string) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("token answer %q: %v", body, err)
		}
		for _, k := range []string{"access_token", "token_type", "expires_in", "refresh_token", "scope"} {
			if _, ok := m[k]; !ok {
				t.Errorf("token answer %s lacks %s", body, k)
			}
		}
		if m["token_type"] != "Bearer" || m["expires_in"] != float64(1209600) || m["scope"] != "user" {
			t.Errorf("token answer %s: want Bearer, 1209600 and scope user as the README shows", body)
		}
		return m
	}

	// 1. Register (the README's curl with a cookie jar).
	if code, _, _ := do(http.MethodPost, "/register", url.Values{"username": {"alice"},
		"password": {"correct-horse"}, "password_confirm": {"correct-horse"}}); code != http.StatusSeeOther {
		t.Fatalf("register: status %d, want 303", code)
	}
	// 2. Authorize: back to the callback with code, iss and state.
	code, h, _ := do(http.MethodGet, authorize, nil)
	cb, err := url.Parse(h.Get("Location"))
	if code != http.StatusFound || err != nil || !strings.HasPrefix(cb.String(), demoRedirectURI+"?") {
		t.Fatalf("authorize: status %d, Location %q; want 302 to the callback", code, h.Get("Location"))
	}
	q := cb.Query()
	if keys := slices.Sorted(maps.Keys(q)); !slices.Equal(keys, []string{"code", "iss", "state"}) || q.Get("iss") != public+"/oauth" || q.Get("state") != "demo" {
		t.Errorf("callback %s: want code, iss=%s/oauth and state=demo", cb, public)
	}
	// 3. Exchange the code.
	_, _, body := do(http.MethodPost, "/oauth/token", with(app, "grant_type", "authorization_code",
		"code", q.Get("code"), "redirect_uri", demoRedirectURI))
	tokens := tokenAnswer(body)
	access, refresh := tokens["access_token"].(string), tokens["refresh_token"].(string)
	// 4. Userinfo.
	if code, _, body := do(http.MethodGet, "/oauth/me", nil, "Authorization", "Bearer "+access); code != http.StatusOK || !strings.Contains(body, `"preferred_username":"alice"`) {
		t.Errorf("userinfo: %d %s", code, body)
	}
	// 5. Introspection.
	if _, _, body := do(http.MethodPost, "/oauth/token/introspection", with(app, "token", access)); !strings.HasPrefix(body, `{"active":true,"sub":`) || !strings.Contains(body, `"exp":`) {
		t.Errorf("introspection: %s, want {\"active\":true,\"sub\":...,\"exp\":...}", body)
	}
	// 6. Refresh: a new refresh token comes with the new access token.
	_, _, body = do(http.MethodPost, "/oauth/token", with(app, "grant_type", "refresh_token", "refresh_token", refresh))
	tokens = tokenAnswer(body)
	if tokens["refresh_token"] == refresh {
		t.Errorf("refresh answered the old refresh token again; the README says to keep a new one")
	}
	refresh = tokens["refresh_token"].(string)
	// 7. Revoke the refresh token kept from step 6: its access tokens end too.
	if code, _, body := do(http.MethodPost, "/oauth/token/revocation", with(app, "token", refresh)); code != http.StatusOK || strings.TrimSpace(body) != "true" {
		t.Errorf("revocation: %d %q, want 200 true", code, body)
	}
	if _, _, body := do(http.MethodPost, "/oauth/token/introspection", with(app, "token", tokens["access_token"].(string))); strings.TrimSpace(body) != `{"active":false}` {
		t.Errorf("introspection after revocation: %s, want {\"active\":false}", body)
	}
	// 8. Log out, then the authorize link asks for a login again.
	if code, h, _ := do(http.MethodGet, "/login/profile/logout?redirect_uri="+demoLogoutURI, nil); code != http.StatusFound || h.Get("Location") != demoLogoutURI {
		t.Errorf("logout: %d to %q, want 302 to %s", code, h.Get("Location"), demoLogoutURI)
	}
	if code, h, _ := do(http.MethodGet, authorize, nil); code != http.StatusFound || !strings.HasPrefix(h.Get("Location"), "/login?") {
		t.Errorf("authorize after logout: %d to %q, want the login page", code, h.Get("Location"))
	}
}
