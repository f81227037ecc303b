package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/testkit/blackbox"
)

// TestMetricsAfterFlow runs a code flow, a refresh, client credentials, a
// revocation, a registration and sign-ins that end in a lockout against a
// real `genauth serve --metrics-addr`, then scrapes the metrics listener
// over HTTP: every counter moved by exactly what was done, the request
// series are labelled by route pattern (a random path leaves no trace), and
// the database gauges are there.
func TestMetricsAfterFlow(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	const alicePW = "alice metrics password"
	appID, appSecret := opsApp(t, dir, alicePW)
	srv := startOps(t, dir, "--metrics-addr", "127.0.0.1:0")
	if srv.metrics == "" {
		t.Fatal("serve did not print the metrics address")
	}
	c := opsClient(t, nil)
	base := srv.base
	creds := url.Values{"client_id": {appID}, "client_secret": {appSecret}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, x := range creds {
			v[k] = x
		}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}

	// Sign-ins of an unknown login: 4 failures, the 5th locks, the 6th is refused.
	for i := range 6 {
		status, _, _ := send(t, c, formRequest(t, base+"/login", url.Values{"username": {"mallory"}, "password": {"guess"}}))
		if want := map[bool]int{true: http.StatusUnauthorized, false: http.StatusTooManyRequests}[i < 4]; status != want {
			t.Fatalf("sign-in %d of mallory: %d, want %d", i+1, status, want)
		}
	}
	verifier, challenge := pkce(t)
	code := codeWithPKCE(t, c, base, appID, "alice", alicePW, challenge)
	var tok blackbox.TokenResponse
	postFormJSON(t, c, base+"/oauth/token", with("grant_type", "authorization_code", "code", code,
		"redirect_uri", demoRedirectURI, "code_verifier", verifier), &tok)
	var refreshed blackbox.TokenResponse
	postFormJSON(t, c, base+"/oauth/token", with("grant_type", "refresh_token", "refresh_token", tok.RefreshToken), &refreshed)
	var cc blackbox.TokenResponse
	postFormJSON(t, c, base+"/oauth/token", with("grant_type", "client_credentials"), &cc)
	var revoked bool
	postFormJSON(t, c, base+"/oauth/token/revocation", with("token", refreshed.RefreshToken), &revoked)
	reg := opsClient(t, nil)
	if status, _, body := send(t, reg, formRequest(t, base+"/register", url.Values{"username": {"bob"},
		"password": {"bob's password"}, "password_confirm": {"bob's password"}})); status != http.StatusSeeOther {
		t.Fatalf("register: %d %.300s", status, body)
	}
	probe := "/no-such-path-" + strings.Repeat("z", 9)
	if status, _ := blackbox.Get(t, base+probe+"?code=x"); status != http.StatusNotFound {
		t.Fatalf("GET %s: %d, want 404", probe, status)
	}

	series, body := scrape(t, srv.metrics)
	for _, tc := range []struct {
		series string
		want   float64
	}{
		{`genauth_tokens_issued_total{client_id="` + appID + `",grant="authorization_code"}`, 1},
		{`genauth_tokens_issued_total{client_id="` + appID + `",grant="client_credentials"}`, 1},
		{`genauth_tokens_refreshed_total{client_id="` + appID + `"}`, 1},
		{`genauth_tokens_revoked_total{client_id="` + appID + `",kind="refresh"}`, 1},
		{`genauth_logins_total{result="success"}`, 1},
		{`genauth_logins_total{result="failure"}`, 5},
		{`genauth_logins_total{result="throttled"}`, 1},
		{`genauth_login_lockouts_total`, 1},
		{`genauth_registrations_total{result="success"}`, 1},
		{`genauth_audit_events_total{event="token.issue"}`, 3},
		{`genauth_http_requests_total{code="200",method="POST",route="/oauth/token"}`, 3},
		{`genauth_http_requests_total{code="401",method="POST",route="POST /login"}`, 4},
		{`genauth_http_requests_total{code="429",method="POST",route="POST /login"}`, 2},
		{`genauth_http_requests_total{code="404",method="GET",route="unmatched"}`, 1},
		{`genauth_http_request_duration_seconds_count{method="POST",route="/oauth/token"}`, 3},
		{`genauth_db_query_duration_seconds_count{op="redeem_auth_code"}`, 1},
		{`genauth_active_sessions`, 2}, // alice's and bob's
		{`genauth_db_up`, 1},
		{`genauth_db_pool_max_connections{pool="write"}`, 1},
		{`genauth_http_requests_in_flight`, 0},
	} {
		got, ok := series[tc.series]
		if !ok || got != tc.want {
			t.Errorf("%s = %v (present %v), want %v", tc.series, got, ok, tc.want)
		}
	}
	if _, ok := series[`genauth_db_pool_open_connections{pool="read"}`]; !ok {
		t.Error("no genauth_db_pool_open_connections for the read pool")
	}
	if !strings.Contains(body, "genauth_build_info{goversion=") {
		t.Error("no genauth_build_info")
	}
	if strings.Contains(body, "no-such-path") {
		t.Error("a raw request path became a label value")
	}
	if srv.stop() != 0 {
		t.Errorf("serve exited with an error: %s", srv.stderr.String())
	}
}

// TestLogsHoldNoSecrets runs every flow that handles a secret against a real
// server logging at debug level, as JSON, into a buffer: sign-in with a
// wrong then the right password, the code flow with PKCE, refresh,
// userinfo (token in the header and in the query string), introspection,
// revocation, client credentials, registration, requests carrying Basic
// credentials and cookies, and management API calls. No password, code,
// verifier, token, client or access key secret, management token or session
// id appears in any line; and the log did record those requests.
func TestLogsHoldNoSecrets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	const alicePW = "alice's secret password 7f3a"
	const wrongPW = "a wrong password 0c9e"
	appID, appSecret := opsApp(t, dir, alicePW)
	var key accessKeyJSON
	decodeJSON(t, mustRun(t, "", "admin", "credentials", "--data-dir", dir, "--json"), &key)
	srv := startOps(t, dir, "--log-level", "debug", "--log-format", "json")
	base := srv.base
	secrets := map[string]string{"app secret": appSecret, "alice's password": alicePW, "wrong password": wrongPW,
		"access key secret": key.AccessKeySecret}
	creds := func(kv ...string) url.Values {
		v := url.Values{"client_id": {appID}, "client_secret": {appSecret}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}

	browser := opsClient(t, nil)
	if status, _, _ := send(t, browser, formRequest(t, base+"/login", url.Values{"username": {"alice"}, "password": {wrongPW}})); status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", status)
	}
	verifier, challenge := pkce(t)
	code := codeWithPKCE(t, browser, base, appID, "alice", alicePW, challenge)
	secrets["code"], secrets["code verifier"] = code, verifier
	var tok, refreshed, cc blackbox.TokenResponse
	postFormJSON(t, browser, base+"/oauth/token", creds("grant_type", "authorization_code", "code", code,
		"redirect_uri", demoRedirectURI, "code_verifier", verifier), &tok)
	postFormJSON(t, browser, base+"/oauth/token", creds("grant_type", "refresh_token", "refresh_token", tok.RefreshToken), &refreshed)
	postFormJSON(t, browser, base+"/oauth/token", creds("grant_type", "client_credentials"), &cc)
	secrets["access token"], secrets["refresh token"] = tok.AccessToken, tok.RefreshToken
	secrets["refreshed access token"], secrets["rotated refresh token"] = refreshed.AccessToken, refreshed.RefreshToken
	secrets["client credentials token"] = cc.AccessToken

	// Userinfo with the token in the Authorization header, then in the query.
	req, _ := http.NewRequest(http.MethodGet, base+"/oauth/me", nil)
	req.Header.Set("Authorization", "Bearer "+refreshed.AccessToken)
	if status, _, body := send(t, browser, req); status != http.StatusOK {
		t.Fatalf("userinfo: %d %s", status, body)
	}
	if status, _ := blackbox.Get(t, base+"/oauth/me?access_token="+url.QueryEscape(refreshed.AccessToken)); status != http.StatusOK {
		t.Fatalf("userinfo with the token in the query: %d", status)
	}
	var intro blackbox.Introspection
	postFormJSON(t, browser, base+"/oauth/token/introspection", creds("token", cc.AccessToken), &intro)
	// Basic credentials and a cookie on a request that fails: still not logged.
	basic := base64.StdEncoding.EncodeToString([]byte(appID + ":" + appSecret))
	secrets["basic credentials"] = basic
	req = formRequest(t, base+"/oauth/token/introspection", url.Values{"token": {tok.AccessToken}})
	req.Header.Set("Authorization", "Basic "+basic)
	req.Header.Set("Cookie", "genauth_session=forged-cookie-value-51d2")
	secrets["forged cookie"] = "forged-cookie-value-51d2"
	send(t, browser, req)
	var ok bool
	postFormJSON(t, browser, base+"/oauth/token/revocation", creds("token", tok.RefreshToken), &ok)

	// Registration signs the new user in.
	reg := opsClient(t, nil)
	const carolPW = "carol's new password 88aa"
	secrets["registration password"] = carolPW
	if status, _, body := send(t, reg, formRequest(t, base+"/register", url.Values{"username": {"carol"},
		"password": {carolPW}, "password_confirm": {carolPW}})); status != http.StatusSeeOther {
		t.Fatalf("register: %d %.300s", status, body)
	}
	baseURL, _ := url.Parse(base)
	for name, jar := range map[string]*http.Client{"alice": browser, "carol": reg} {
		for _, ck := range jar.Jar.Cookies(baseURL) {
			if ck.Name == "genauth_session" {
				secrets[name+"'s session id"] = ck.Value
			}
		}
	}
	if secrets["alice's session id"] == "" || secrets["carol's session id"] == "" {
		t.Fatal("no session cookies to look for")
	}

	// Management API: a token, then a user created with a password.
	body, _ := json.Marshal(map[string]string{"accessKeyId": key.AccessKeyID, "accessKeySecret": key.AccessKeySecret})
	req, _ = http.NewRequest(http.MethodPost, base+"/api/v3/get-management-token", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	_, _, raw := send(t, browser, req)
	var env struct {
		StatusCode int `json:"statusCode"`
		Data       struct {
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Data.AccessToken == "" {
		t.Fatalf("get-management-token: %s", raw)
	}
	secrets["management token"] = env.Data.AccessToken
	const davePW = "dave's managed password 19bd"
	secrets["managed user's password"] = davePW
	body, _ = json.Marshal(map[string]string{"username": "dave", "password": davePW})
	req, _ = http.NewRequest(http.MethodPost, base+"/api/v3/create-user", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+env.Data.AccessToken)
	if _, _, raw := send(t, browser, req); !strings.Contains(string(raw), `"statusCode":200`) {
		t.Fatalf("create-user: %s", raw)
	}
	req, _ = http.NewRequest(http.MethodGet, base+"/api/v3/list-users?page=1&limit=10", nil)
	req.Header.Set("Authorization", "Bearer "+env.Data.AccessToken)
	send(t, browser, req)

	if code := srv.stop(); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}
	logs := srv.stderr.String()
	for what, s := range secrets {
		if s == "" {
			t.Fatalf("no %s to look for", what)
		}
		if strings.Contains(logs, s) {
			t.Errorf("the %s appears in the log", what)
		}
	}
	// The log is not empty by accident: every request has its line.
	routes := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == "request" {
			if rec["request_id"] == nil {
				t.Errorf("access line without request_id: %s", line)
			}
			routes[fmt.Sprint(rec["route"])]++
		}
	}
	for route, want := range map[string]int{"/oauth/token": 3, "/oauth/me": 2, "/oauth/token/introspection": 2,
		"/oauth/token/revocation": 1, "POST /login": 2, "POST /register": 1, "POST /api/v3/create-user": 1} {
		if routes[route] != want {
			t.Errorf("%d access lines for %s, want %d (all: %v)", routes[route], route, want, routes)
		}
	}
	if !strings.Contains(logs, `"msg":"audit"`) {
		t.Error("no audit lines in the log")
	}
}

// TestTrustedProxies: only a listed proxy's X-Forwarded-For, -Proto and
// X-Request-Id are believed. Behind it, the audit trail records the client's
// address (the right-most address that is not a proxy), the session cookie
// is Secure for a client that used https, and the proxy's request id is
// answered; from anyone else the same headers change nothing.
func TestTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		name              string
		flags             []string
		wantIP, wantReqID string
		wantSecure        bool
	}{
		{"trusted", []string{"--trusted-proxies", "10.0.0.0/8, 127.0.0.1"}, "203.0.113.9", "proxy-req-1", true},
		{"untrusted", nil, "127.0.0.1", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			const pw = "proxy test password"
			opsApp(t, dir, pw)
			srv := startOps(t, dir, tc.flags...)
			c := opsClient(t, nil)
			req := formRequest(t, srv.base+"/login", url.Values{"username": {"alice"}, "password": {pw}})
			// The client forged the first entry; the proxies 10.1.2.3 and then
			// the one connecting appended theirs.
			req.Header.Set("X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.1.2.3")
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("X-Request-Id", "proxy-req-1")
			status, h, _ := send(t, c, req)
			if status != http.StatusSeeOther {
				t.Fatalf("sign-in: %d", status)
			}
			id := h.Get("X-Request-Id")
			if tc.wantReqID != "" && id != tc.wantReqID || tc.wantReqID == "" && (id == "" || id == "proxy-req-1") {
				t.Errorf("X-Request-Id = %q, want %q (or a new one when empty)", id, tc.wantReqID)
			}
			var secure, found bool
			for _, ck := range (&http.Response{Header: h}).Cookies() {
				if ck.Name == "genauth_session" {
					found, secure = true, ck.Secure
				}
			}
			if !found || secure != tc.wantSecure {
				t.Errorf("session cookie found %v, Secure %v; want Secure %v", found, secure, tc.wantSecure)
			}
			srv.stop() // writes the audit trail's last batch
			var events []auditJSON
			decodeJSON(t, mustRun(t, "", "audit", "list", "--data-dir", dir, "--type", "login.success", "--json"), &events)
			if len(events) != 1 || events[0].IP != tc.wantIP {
				t.Errorf("login.success events %+v, want one from %s", events, tc.wantIP)
			}
		})
	}
}
