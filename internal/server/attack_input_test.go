package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestAttackNonTextInput replays issue 13's item 10 over HTTP: a NUL byte or
// invalid UTF-8 in username, client_id or app_id took the server on
// PostgreSQL to 500 at sign-in, token, authorize, logout and session/end
// (PostgreSQL refuses such text; SQLite stores it). Each request now gets its
// endpoint's 400 on both backends, the database does not change at all (the
// edge refuses before any handler or the store runs, so not even a failed
// sign-in is counted), and the server goes on serving the same user and
// client.
func TestAttackNonTextInput(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) { attackNonTextInput(t, b.Start(t)) })
	}
}

func attackNonTextInput(t *testing.T, srv *testserver.Server) {
	const password = "attack-test-password"
	srv.CreateUser(t, "alice", password)
	app, secret := srv.CreateApp(t, apps.CreateParams{
		RedirectURIs:       []string{hostileCallback},
		LogoutRedirectURIs: []string{hostileLogout},
		GrantTypes:         []string{model.GrantAuthorizationCode, model.GrantRefreshToken, model.GrantClientCredentials},
	})
	mgmt := srv.ManagementToken(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	type answer int
	const (
		oauthJSON answer = iota // RFC 6749 invalid_request
		htmlPage                // the readable error page
		envelope                // the management envelope with statusCode 400
	)
	type attack struct {
		name, method, path string
		params             url.Values
		json               string // a JSON body instead of params
		header             map[string]string
		want               answer
	}
	var attacks []attack
	for _, bad := range []struct{ name, v string }{{"NUL", "ali\x00ce"}, {"invalid UTF-8", "ali\xffce"}, {"overlong UTF-8", "\xc0\xafalice"}} {
		authorize := url.Values{"client_id": {bad.v}, "redirect_uri": {hostileCallback}, "response_type": {"code"}, "state": {"s"}}
		attacks = append(attacks,
			attack{"login username " + bad.name, http.MethodPost, "/login",
				url.Values{"username": {bad.v}, "password": {password}, "return_to": {"/"}}, "", nil, htmlPage},
			attack{"token client_id " + bad.name, http.MethodPost, "/oidc/token",
				url.Values{"grant_type": {"client_credentials"}, "client_id": {bad.v}, "client_secret": {secret}}, "", nil, oauthJSON},
			attack{"token Basic client_id " + bad.name, http.MethodPost, "/oauth/token",
				url.Values{"grant_type": {"client_credentials"}}, "", basic(bad.v, secret), oauthJSON},
			attack{"introspection client_id " + bad.name, http.MethodPost, "/oidc/token/introspection",
				url.Values{"token": {"x"}, "client_id": {bad.v}, "client_secret": {secret}}, "", nil, oauthJSON},
			attack{"authorize GET client_id " + bad.name, http.MethodGet, "/oidc/auth", authorize, "", nil, htmlPage},
			attack{"authorize POST client_id " + bad.name, http.MethodPost, "/oauth/auth", authorize, "", nil, htmlPage},
			attack{"front-channel logout app_id " + bad.name, http.MethodGet, "/login/profile/logout",
				url.Values{"app_id": {bad.v}, "redirect_uri": {hostileLogout}}, "", nil, htmlPage},
			attack{"session/end GET client_id " + bad.name, http.MethodGet, "/oidc/session/end",
				url.Values{"client_id": {bad.v}, "post_logout_redirect_uri": {hostileLogout}}, "", nil, htmlPage},
			attack{"session/end POST client_id " + bad.name, http.MethodPost, "/oidc/session/end",
				url.Values{"client_id": {bad.v}, "post_logout_redirect_uri": {hostileLogout}}, "", nil, htmlPage},
			attack{"management get-application appId " + bad.name, http.MethodGet, "/api/v3/get-application",
				url.Values{"appId": {bad.v}}, "", map[string]string{"Authorization": "Bearer " + mgmt}, envelope},
			// Written by hand: json.Marshal would turn invalid UTF-8 into U+FFFD.
			attack{"management is-user-exists username " + bad.name, http.MethodPost, "/api/v3/is-user-exists",
				nil, `{"username":"` + strings.ReplaceAll(bad.v, "\x00", `\u0000`) + `"}`,
				map[string]string{"Authorization": "Bearer " + mgmt}, envelope},
		)
	}

	before := srv.Dump(t)
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			target := srv.URL + a.path
			var body io.Reader
			ct := ""
			switch {
			case a.json != "":
				body, ct = strings.NewReader(a.json), "application/json"
			case a.method == http.MethodGet:
				target += "?" + a.params.Encode()
			default:
				body, ct = strings.NewReader(a.params.Encode()), formCT
			}
			req, err := http.NewRequestWithContext(t.Context(), a.method, target, body)
			if err != nil {
				t.Fatal(err)
			}
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			for k, v := range a.header {
				req.Header.Set(k, v)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got := string(raw)
			switch a.want {
			case oauthJSON:
				var e struct{ Error string }
				if resp.StatusCode != http.StatusBadRequest || json.Unmarshal(raw, &e) != nil || e.Error != "invalid_request" {
					t.Errorf("got %d %.300s, want 400 invalid_request", resp.StatusCode, got)
				}
			case htmlPage:
				if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
					!strings.Contains(got, "</html>") {
					t.Errorf("got %d %q %.300s, want 400 with the error page", resp.StatusCode, resp.Header.Get("Content-Type"), got)
				}
			case envelope:
				var env struct{ StatusCode int }
				if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &env) != nil || env.StatusCode != http.StatusBadRequest {
					t.Errorf("got %d %.300s, want the envelope with statusCode 400", resp.StatusCode, got)
				}
			}
		})
	}
	after := srv.Dump(t)
	for table := range mergedKeys(before, after) {
		if !slices.Equal(before[table], after[table]) {
			t.Errorf("table %s changed", table)
		}
	}

	// The same user and client still work.
	seedFlow(t, srv, app.ID, secret, "alice", password)

	// A header is no parameter and passes the edge; a user agent that is not
	// UTF-8 still lands in the login history (it was lost on PostgreSQL).
	history := len(srv.Dump(t)["login_history"])
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/login",
		strings.NewReader(url.Values{"username": {"alice"}, "password": {password}, "return_to": {"/"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", formCT)
	req.Header.Set("User-Agent", "agent \xff\xfe")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with an odd user agent: status %d", resp.StatusCode)
	}
	if got := len(srv.Dump(t)["login_history"]); got != history+1 {
		t.Errorf("login history holds %d entries after the sign-in, want %d", got, history+1)
	}
}
