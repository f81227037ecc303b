package server_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// hostilePayloads are values a hostile client puts where a parameter goes.
// Each is sent properly encoded, so the server sees exactly these bytes.
var hostilePayloads = []struct{ name, value string }{
	{"sql", "' OR 1=1 --"},
	{"sql-union", "x' UNION SELECT secret_hash FROM applications --"},
	{"script", "<script>alert(1)</script>"},
	{"attr-break", `"><img src=x onerror=alert(1)>`},
	{"path", "../../etc/passwd"},
	{"pct00", "%00"},
	{"nul", "a\x00b"},
	{"crlf", "a\r\nSet-Cookie: pwned=1"},
	{"template", "{{.}}"},
	{"template-call", `{{template "layout" .}}`},
	{"invalid-utf8", "\xff\xfe\xfd"},
	{"overlong-utf8", "\xc0\xaf\xe0\x80\xaf"},
	{"bidi", "admin\u202egnp.exe"},
	{"json", `{"a":[1,2,{"b":null}]}`},
	{"long", strings.Repeat("A", 16<<10)},
	{"js-url", "javascript:alert(1)"},
}

// brokenForms are form bodies or queries whose encoding is wrong; each is
// appended to an otherwise plausible request.
var brokenForms = []struct{ name, raw string }{
	{"bad-escape", "x=%zz"},
	{"truncated-escape", "x=%4"},
	{"lone-percent", "x=%"},
	{"escaped-percent-pair", "x=%%32%65"},
	{"semicolon", "x=1;y=2"},
}

// redirectTricks are redirect URIs that resemble the registered one.
var redirectTricks = []string{
	"http://localhost:3000/callback/",
	"http://localhost:3000/callback?x=1",
	"http://localhost:3000/callback#x",
	"HTTP://LOCALHOST:3000/callback",
	"http://localhost:3000/callback/../evil",
	"http://localhost:3000.evil.example/callback",
	"http://evil.example/?http://localhost:3000/callback",
	"//evil.example/callback",
	"http://user@localhost:3000/callback",
	" http://localhost:3000/callback",
	"http://localhost:3000/callback\x00",
	"http://localhost:3000/%63allback",
}

// Redirect URIs of the application the cases aim at.
const (
	hostileCallback = "http://localhost:3000/callback"
	hostileLogout   = "http://localhost:3000/"
)

// want is the kind of answer a case must get.
type want int

const (
	// wantOAuthError: a 4xx with RFC 6749 error JSON (protocol endpoints).
	wantOAuthError want = iota
	// wantHTMLError: a 4xx with a readable HTML page (browser pages).
	wantHTMLError
	// wantErrorRedirect: 302 back to the registered redirect URI carrying
	// error and the exact state (RFC 6749 section 4.1.2.1): once the client
	// and the redirect URI are verified, authorization errors go there.
	wantErrorRedirect
	// wantPage: 200 with the HTML page, the hostile value neutralised.
	wantPage
	// wantInactive: 200 {"active":false}, as RFC 7662 answers an
	// authenticated client about a token it does not know.
	wantInactive
	// wantRevoked: 200 true, as RFC 7009 answers an authenticated client
	// about a token it does not know.
	wantRevoked
	// wantEnvelopeError: the management envelope (always HTTP 200) with a
	// 4xx statusCode.
	wantEnvelopeError
	// wantMethodNotAllowed: net/http's 405 with an Allow header, for a
	// method no route of that path serves.
	wantMethodNotAllowed
	// wantSignedOutHome: 303 to the home page (logout is idempotent).
	wantSignedOutHome
	// wantJSONDocument: 200 with the public JSON document (discovery, JWKS).
	wantJSONDocument
	// wantLocalRedirect: 303 to a path on this server, never elsewhere.
	wantLocalRedirect
	// wantPreflight: a CORS preflight answer with no body: 204 allowing the
	// request's origin (or *) and echoing only well-formed header names, or
	// 403 allowing nothing; never credentials.
	wantPreflight
	// wantNotVerified: an envelope error, or statusCode 200 with data
	// exactly {"verified":false} (a passkey that failed its checks).
	wantNotVerified
	// wantCeremonyRefusal: a 4xx with {"error": a message} (the pages'
	// passkey begin endpoints).
	wantCeremonyRefusal
	// wantUpstreamRedirect: 303 to the hostile test's upstream provider's
	// authorization endpoint (hostileUpstream), with a flow cookie.
	wantUpstreamRedirect
	// wantPageOrError: 200 with the page, or a 4xx with a readable HTML
	// page (a console list whose filter or cursor a value may break).
	wantPageOrError
)

// hostileCase is one request and what it must get.
type hostileCase struct {
	name   string
	method string
	target string // path with its raw query
	ct     string // Content-Type; empty for none
	body   string
	header map[string]string
	want   want
	status int    // the exact status, when it matters
	code   string // the exact error code (RFC 6749 error, or for redirects)
	state  string // wantErrorRedirect: the state that must come back
	// returnTo: the page's hidden return_to must have fallen back to "/".
	returnTo bool
	// notText: a parameter is not text, so the edge refuses the request.
	notText bool
	// mayChange names tables this failed request may legitimately change;
	// every other table must stay exactly as it was.
	mayChange []string
}

// failedLoginTables may change on a refused sign-in or registration: the
// per-account and per-address throttles and the audit trail (issue 6) record
// failures. Nothing else may.
var failedLoginTables = []string{"throttles", "audit_events"}

// TestHostileInput sends hundreds of malformed, oversized, repeated, wrongly
// encoded and injection-shaped requests to every endpoint: each gets the
// answer its protocol prescribes for bad input (a 4xx with an RFC 6749 error,
// a readable HTML page or the management envelope; never a 5xx, never the
// hostile value reflected into HTML, never a redirect to an unverified URI),
// and the database is byte-for-byte the same after it (every table compared,
// the exceptions named in the case). It runs on both backends: PostgreSQL
// refuses text that SQLite stores (a NUL byte, invalid UTF-8).
func TestHostileInput(t *testing.T) {
	for _, b := range testserver.Backends {
		// At localhost, so that the passkey endpoints work (mfa.PasskeysOn).
		t.Run(b.Name, func(t *testing.T) { hostileInput(t, b.StartWith(t, testserver.Options{Localhost: true})) })
	}
}

func hostileInput(t *testing.T, srv *testserver.Server) {
	const password = "hostile-test-password"
	user := srv.CreateUser(t, "alice", password)
	app, appSecret := srv.CreateApp(t, apps.CreateParams{
		RedirectURIs:       []string{hostileCallback},
		LogoutRedirectURIs: []string{hostileLogout},
		GrantTypes:         []string{model.GrantAuthorizationCode, model.GrantRefreshToken, model.GrantClientCredentials},
	})
	// Live data in every kind of table, so that "unchanged" means something:
	// a session, a redeemed code, access and refresh tokens, a consent-free grant.
	cookie := seedFlow(t, srv, app.ID, appSecret, "alice", password)
	mgmt := srv.ManagementToken(t)

	cases := hostileCases(app.ID, appSecret, user.ID, mgmt, cookie)
	userToken := apiUserToken(t, srv, app.ID, appSecret, "alice", password)
	cases = append(cases, accountHostileCases(app.ID, userToken)...)
	cases = append(cases, passkeyHostileCases(app.ID, appSecret, userToken)...)
	cases = append(cases, pagesPasskeyHostileCases(cookie)...)
	cases = append(cases, pagesIdPHostileCases(cookie, seedConnections(t, srv, app.ID, user.ID))...)
	cases = append(cases, consoleHostileCases(t, srv, app.ID, user.ID)...)
	if len(cases) < 500 {
		t.Fatalf("only %d cases generated", len(cases))
	}
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.name] {
			t.Fatalf("two cases are named %q", c.name)
		}
		names[c.name] = true
	}
	notText := 0
	for _, c := range cases {
		if c.notText {
			notText++
		}
	}
	if notText < 200 {
		t.Fatalf("only %d cases carry a parameter that is not text", notText)
	}
	t.Logf("%d hostile requests, %d of them refused at the edge for a parameter that is not text", len(cases), notText)

	client := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	initial := srv.Dump(t)
	before := initial
	changed := map[string]bool{} // tables some case was allowed to change
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, header, body := sendHostile(t, client, srv.URL, c)
			after := srv.Dump(t)
			// The database first: a wrong answer stops the checks that follow it.
			for table := range mergedKeys(before, after) {
				if slices.Equal(before[table], after[table]) {
					continue
				}
				if slices.Contains(c.mayChange, table) {
					changed[table] = true
					continue
				}
				t.Errorf("table %s changed (-before +after):\n%s", table, truncate(cmp.Diff(before[table], after[table]), 2000))
			}
			before = after
			checkHostileAnswer(t, c, status, header, body)
		})
	}
	t.Logf("tables changed by failed sign-ins and registrations, as allowed: %v", slices.Sorted(maps.Keys(changed)))
	// Over the whole run only the named tables may differ from the start,
	// whatever a handler might still have written after answering.
	final := srv.Dump(t)
	for table := range mergedKeys(initial, final) {
		if !changed[table] && !slices.Equal(initial[table], final[table]) {
			t.Errorf("table %s differs after the run from before it", table)
		}
	}
}

// seedFlow signs the user in, redeems a code, refreshes and gets a
// client_credentials token, so that the database holds one of everything.
// It returns the session cookie of the browser that signed in.
func seedFlow(t *testing.T, srv *testserver.Server, clientID, secret, username, password string) string {
	t.Helper()
	cfg := &oauth2.Config{
		ClientID: clientID, ClientSecret: secret, RedirectURL: hostileCallback,
		Endpoint: oauth2.Endpoint{AuthURL: srv.URL + "/oauth/auth", TokenURL: srv.URL + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   []string{"user"},
	}
	browser := testserver.Browser(t)
	loc := srv.Authorize(t, browser, cfg.AuthCodeURL("seed"), username, password)
	tok, err := cfg.Exchange(t.Context(), loc.Query().Get("code"))
	if err != nil {
		t.Fatalf("seed exchange: %v", err)
	}
	if _, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("seed refresh: %v", err)
	}
	resp, err := http.PostForm(srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {clientID}, "client_secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("seed client_credentials: %d", resp.StatusCode)
	}
	base, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range browser.Jar.Cookies(base) {
		if c.Name == sessions.CookieName {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatal("seed: no session cookie")
	return ""
}

// form encodes name, value pairs in the order given.
func form(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]) + "=" + url.QueryEscape(kv[i+1]))
	}
	return b.String()
}

// headerSafe reports whether v can travel in an HTTP header at all: the
// client refuses control characters other than tab.
func headerSafe(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// carriesNonText reports whether a parameter of c is not text (valid UTF-8
// without NUL): a name or value of the query or a form body, decoded; a
// string of a JSON body or any other body's raw text; the credentials of a
// Basic header, raw or decoded. Headers, cookies and the path are not
// parameters.
func carriesNonText(c hostileCase) bool {
	var fields []string
	form := func(raw string) {
		for _, kv := range strings.Split(raw, "&") {
			k, v, _ := strings.Cut(kv, "=")
			fields = append(fields, k, v, lenientUnescape(k), lenientUnescape(v))
		}
	}
	if _, q, ok := strings.Cut(c.target, "?"); ok {
		form(q)
	}
	if c.ct == formCT {
		form(c.body)
	} else if c.body != "" {
		fields = append(fields, c.body)
		var doc any
		if json.Unmarshal([]byte(c.body), &doc) == nil {
			fields = append(fields, jsonStrings(doc)...)
		}
	}
	if enc, ok := strings.CutPrefix(c.header["Authorization"], "Basic "); ok {
		if raw, err := base64.StdEncoding.DecodeString(enc); err == nil {
			id, secret, _ := strings.Cut(string(raw), ":")
			fields = append(fields, id, secret, lenientUnescape(id), lenientUnescape(secret))
		}
	}
	for _, f := range fields {
		if !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
			return true
		}
	}
	return false
}

func lenientUnescape(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, jsonStrings(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, x := range v {
			out = append(append(out, k), jsonStrings(x)...)
		}
		return out
	}
	return nil
}

// refusedAtEdge is what c must get instead when a parameter is not text:
// the edge refuses it with 400 in the format of the route, before a
// handler looks at the client, the redirect URI or the store, so nothing
// changes and nothing redirects.
func refusedAtEdge(c hostileCase) hostileCase {
	switch c.want {
	case wantOAuthError, wantInactive, wantRevoked, wantJSONDocument:
		c.want, c.status, c.code = wantOAuthError, http.StatusBadRequest, "invalid_request"
	case wantHTMLError, wantPage, wantErrorRedirect, wantSignedOutHome, wantLocalRedirect, wantUpstreamRedirect, wantPageOrError:
		c.want, c.status, c.code, c.returnTo = wantHTMLError, http.StatusBadRequest, "", false
	case wantEnvelopeError, wantNotVerified:
		c.want, c.status = wantEnvelopeError, http.StatusBadRequest
	case wantCeremonyRefusal:
		c.status = http.StatusBadRequest
	}
	c.mayChange, c.notText = nil, true
	return c
}

func basic(id, secret string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}
}

const formCT = "application/x-www-form-urlencoded"

// sameOrigin marks a browser form post from GenAuth's own pages.
var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin"}

// hostileCases builds the table: every endpoint crossed with the places a
// hostile value can go and the ways an encoding can be broken.
// cookie is a signed-in browser's Cookie header.
func hostileCases(clientID, secret, userID, mgmt, cookie string) []hostileCase {
	var cs []hostileCase
	add := func(c hostileCase) {
		if c.method == "" {
			c.method = http.MethodPost
		}
		if carriesNonText(c) {
			c = refusedAtEdge(c)
		}
		cs = append(cs, c)
	}
	creds := []string{"client_id", clientID, "client_secret", secret}
	with := func(kv ...string) []string { return append(slices.Clone(creds), kv...) }
	oversized := "pad=" + strings.Repeat("a", 64<<10+1)
	validChallenge := strings.Repeat("c", 43)

	for _, p := range []string{model.ProtocolOAuth, model.ProtocolOIDC} {
		token, intro, revoke, me := "/"+p+"/token", "/"+p+"/token/introspection", "/"+p+"/token/revocation", "/"+p+"/me"
		authz, consent := "/"+p+"/auth", "/"+p+"/auth/consent"

		// The client-authenticated endpoints: what each must refuse, then
		// what each must answer about a token it does not know.
		for _, ep := range []struct {
			path string
			body []string // an otherwise valid request, without credentials
		}{
			{token, []string{"grant_type", "client_credentials"}},
			{intro, []string{"token", "x"}},
			{revoke, []string{"token", "x"}},
		} {
			for _, h := range hostilePayloads {
				add(hostileCase{name: ep.path + "/client_id=" + h.name, ct: formCT, target: ep.path,
					body: form(append(slices.Clone(ep.body), "client_id", h.value, "client_secret", "x")...),
					want: wantOAuthError, status: 401, code: "invalid_client"})
				add(hostileCase{name: ep.path + "/client_secret=" + h.name, ct: formCT, target: ep.path,
					body: form(append(slices.Clone(ep.body), "client_id", clientID, "client_secret", h.value)...),
					want: wantOAuthError, status: 401, code: "invalid_client"})
				add(hostileCase{name: ep.path + "/basic=" + h.name, ct: formCT, target: ep.path,
					body: form(ep.body...), header: basic(h.value, h.value),
					want: wantOAuthError, status: 401, code: "invalid_client"})
			}
			for _, b := range brokenForms {
				add(hostileCase{name: ep.path + "/" + b.name, ct: formCT, target: ep.path,
					body: form(with(ep.body...)...) + "&" + b.raw, want: wantOAuthError, status: 400, code: "invalid_request"})
			}
			structural := []hostileCase{
				{name: "repeated-client_id", ct: formCT, body: form(with(append(slices.Clone(ep.body), "client_id", clientID)...)...),
					status: 400, code: "invalid_request"},
				{name: "json-body", ct: "application/json", body: `{"client_id":"` + clientID + `","client_secret":"` + secret + `"}`,
					status: 400, code: "invalid_request"},
				{name: "text-plain", ct: "text/plain", body: form(with(ep.body...)...), status: 400, code: "invalid_request"},
				{name: "no-content-type", body: form(with(ep.body...)...), status: 400, code: "invalid_request"},
				{name: "multipart", ct: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"client_id\"\r\n\r\n" + clientID + "\r\n--x--\r\n",
					status: 400, code: "invalid_request"},
				{name: "oversized", ct: formCT, body: form(with(ep.body...)...) + "&" + oversized, status: 400, code: "invalid_request"},
				{name: "nul-in-name", ct: formCT, body: form(with(ep.body...)...) + "&a%00b=1", status: -1},
				{name: "method-PUT", method: http.MethodPut, ct: formCT, body: form(with(ep.body...)...), status: 405, code: "invalid_request"},
				{name: "method-DELETE", method: http.MethodDelete, status: 405, code: "invalid_request"},
				{name: "method-GET", method: http.MethodGet, target: "?" + form(with(ep.body...)...), status: 405, code: "invalid_request"},
			}
			for _, s := range structural {
				s.name = ep.path + "/" + s.name
				s.target = ep.path + s.target
				s.want = wantOAuthError
				if s.status == -1 { // parsed fine: the request is then judged on its merits
					s.status, s.code = 0, ""
					if ep.path == intro {
						s.want = wantInactive
					} else if ep.path == revoke {
						s.want = wantRevoked
					} else {
						continue // a client_credentials token would be issued: not hostile
					}
				}
				add(s)
			}
		}
		for _, h := range hostilePayloads {
			add(hostileCase{name: token + "/grant_type=" + h.name, ct: formCT, target: token,
				body: form(with("grant_type", h.value)...), want: wantOAuthError, status: 400, code: "unsupported_grant_type"})
			add(hostileCase{name: token + "/code=" + h.name, ct: formCT, target: token,
				body: form(with("grant_type", "authorization_code", "code", h.value, "redirect_uri", hostileCallback)...),
				want: wantOAuthError, status: 400, code: "invalid_grant"})
			add(hostileCase{name: token + "/refresh_token=" + h.name, ct: formCT, target: token,
				body: form(with("grant_type", "refresh_token", "refresh_token", h.value)...),
				want: wantOAuthError, status: 400, code: "invalid_grant"})
			add(hostileCase{name: intro + "/token=" + h.name, ct: formCT, target: intro,
				body: form(with("token", h.value, "token_type_hint", h.value)...), want: wantInactive})
			add(hostileCase{name: revoke + "/token=" + h.name, ct: formCT, target: revoke,
				body: form(with("token", h.value, "token_type_hint", h.value)...), want: wantRevoked})
			// Revocation as the mobile SDKs send it: a JSON body.
			jsonBody, _ := json.Marshal(map[string]string{"client_id": clientID, "client_secret": secret, "token": h.value})
			add(hostileCase{name: revoke + "/json-token=" + h.name, ct: "application/json", target: revoke,
				body: string(jsonBody), want: wantRevoked})
			// Userinfo: the token in each place it may come.
			add(hostileCase{name: me + "/query=" + h.name, method: http.MethodGet, target: me + "?" + form("access_token", h.value),
				want: wantOAuthError, status: 401, code: "invalid_token"})
			add(hostileCase{name: me + "/form=" + h.name, ct: formCT, target: me, body: form("access_token", h.value),
				want: wantOAuthError, status: 401, code: "invalid_token"})
			if headerSafe(h.value) {
				add(hostileCase{name: me + "/bearer=" + h.name, method: http.MethodGet, target: me,
					header: map[string]string{"Authorization": "Bearer " + h.value}, want: wantOAuthError, status: 401, code: "invalid_token"})
			}
		}
		for _, b := range brokenForms {
			add(hostileCase{name: me + "/query-" + b.name, method: http.MethodGet, target: me + "?access_token=x&" + b.raw,
				want: wantOAuthError, status: 400, code: "invalid_request"})
			add(hostileCase{name: me + "/form-" + b.name, ct: formCT, target: me, body: "access_token=x&" + b.raw,
				want: wantOAuthError, status: 400, code: "invalid_request"})
		}
		add(hostileCase{name: me + "/oversized", ct: formCT, target: me, body: "access_token=x&" + oversized,
			want: wantOAuthError, status: 400, code: "invalid_request"})
		add(hostileCase{name: me + "/json-body", ct: "application/json", target: me, body: `{"access_token":"x"}`,
			want: wantOAuthError, status: 400, code: "invalid_request"})
		add(hostileCase{name: me + "/token-twice", method: http.MethodGet, target: me + "?access_token=x",
			header: map[string]string{"Authorization": "Bearer x"}, want: wantOAuthError, status: 400, code: "invalid_request"})
		add(hostileCase{name: me + "/method-PUT", method: http.MethodPut, target: me, want: wantOAuthError, status: 405, code: "invalid_request"})

		// Authorize: an unverified client or redirect URI gets an error page,
		// never a redirect; after that, errors go back to the client.
		authParams := func(kv ...string) string {
			v := url.Values{"client_id": {clientID}, "redirect_uri": {hostileCallback}, "response_type": {"code"},
				"scope": {"user"}, "state": {"s"}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v.Encode()
		}
		for _, h := range hostilePayloads {
			for _, m := range []string{http.MethodGet, http.MethodPost} {
				auth := func(c hostileCase, params string) {
					c.method = m
					c.name = authz + "/" + m + "/" + c.name
					if m == http.MethodGet {
						c.target = authz + "?" + params
					} else {
						c.target, c.ct, c.body = authz, formCT, params
					}
					add(c)
				}
				auth(hostileCase{name: "client_id=" + h.name, want: wantHTMLError, status: 400}, authParams("client_id", h.value))
				auth(hostileCase{name: "redirect_uri=" + h.name, want: wantHTMLError, status: 400}, authParams("redirect_uri", h.value))
				for _, field := range []string{"response_type", "response_mode", "prompt", "max_age", "code_challenge"} {
					auth(hostileCase{name: field + "=" + h.name, want: wantErrorRedirect, state: h.value},
						authParams(field, h.value, "state", h.value))
				}
				auth(hostileCase{name: "code_challenge_method=" + h.name, want: wantErrorRedirect, state: h.value, code: "invalid_request"},
					authParams("code_challenge", validChallenge, "code_challenge_method", h.value, "state", h.value))
				if p == model.ProtocolOIDC {
					auth(hostileCase{name: "request=" + h.name, want: wantErrorRedirect, state: "s", code: "request_not_supported"},
						authParams("request", h.value))
					auth(hostileCase{name: "request_uri=" + h.name, want: wantErrorRedirect, state: "s", code: "request_uri_not_supported"},
						authParams("request_uri", h.value))
				}
			}
		}
		for i, r := range redirectTricks {
			add(hostileCase{name: fmt.Sprintf("%s/redirect-trick-%d", authz, i), method: http.MethodGet,
				target: authz + "?" + authParams("redirect_uri", r), want: wantHTMLError, status: 400})
		}
		for _, b := range brokenForms {
			add(hostileCase{name: authz + "/query-" + b.name, method: http.MethodGet, target: authz + "?" + authParams() + "&" + b.raw,
				want: wantHTMLError, status: 400})
			add(hostileCase{name: authz + "/form-" + b.name, ct: formCT, target: authz, body: authParams() + "&" + b.raw,
				want: wantHTMLError, status: 400})
		}
		add(hostileCase{name: authz + "/repeated-client_id", method: http.MethodGet, target: authz + "?" + authParams() + "&client_id=" + clientID,
			want: wantHTMLError, status: 400})
		add(hostileCase{name: authz + "/oversized", ct: formCT, target: authz, body: authParams() + "&" + oversized,
			want: wantHTMLError, status: 400})
		add(hostileCase{name: authz + "/json-body", ct: "application/json", target: authz, body: `{"client_id":"` + clientID + `"}`,
			want: wantHTMLError, status: 400})
		add(hostileCase{name: authz + "/method-PUT", method: http.MethodPut, target: authz + "?" + authParams(),
			want: wantOAuthError, status: 405, code: "invalid_request"})

		// Consent: the decision must be one of two words, the request valid.
		for _, h := range hostilePayloads {
			add(hostileCase{name: consent + "/consent=" + h.name, ct: formCT, target: consent, header: sameOrigin,
				body: authParams("consent", h.value), want: wantHTMLError, status: 400})
			add(hostileCase{name: consent + "/client_id=" + h.name, ct: formCT, target: consent, header: sameOrigin,
				body: authParams("consent", "approve", "client_id", h.value), want: wantHTMLError, status: 400})
			add(hostileCase{name: consent + "/response_type=" + h.name, ct: formCT, target: consent, header: sameOrigin,
				body: authParams("consent", "deny", "response_type", h.value, "state", h.value), want: wantErrorRedirect, state: h.value})
		}
		add(hostileCase{name: consent + "/cross-site", ct: formCT, target: consent, header: map[string]string{"Sec-Fetch-Site": "cross-site"},
			body: authParams("consent", "approve"), want: wantHTMLError, status: 403})
		add(hostileCase{name: consent + "/foreign-origin", ct: formCT, target: consent, header: map[string]string{"Origin": "http://evil.example"},
			body: authParams("consent", "approve"), want: wantHTMLError, status: 403})
		add(hostileCase{name: consent + "/oversized", ct: formCT, target: consent, header: sameOrigin,
			body: authParams("consent", "approve") + "&" + oversized, want: wantHTMLError, status: 400})
		add(hostileCase{name: consent + "/bad-escape", ct: formCT, target: consent, header: sameOrigin,
			body: authParams("consent", "approve") + "&x=%zz", want: wantHTMLError, status: 400})
		add(hostileCase{name: consent + "/method-GET", method: http.MethodGet, target: consent + "?" + authParams("consent", "approve"),
			want: wantOAuthError, status: 405, code: "invalid_request"})
	}

	// The hosted pages.
	for _, h := range hostilePayloads {
		for _, page := range []string{"/login", "/register"} {
			add(hostileCase{name: page + "/GET/return_to=" + h.name, method: http.MethodGet, target: page + "?" + form("return_to", h.value),
				want: wantPage, returnTo: true})
			add(hostileCase{name: page + "/GET/lang=" + h.name, method: http.MethodGet, target: page + "?" + form("lang", h.value),
				want: wantPage})
		}
		add(hostileCase{name: "/login/POST/username=" + h.name, ct: formCT, target: "/login",
			body: form("username", h.value, "password", "wrong password", "return_to", h.value),
			want: wantHTMLError, returnTo: true, mayChange: failedLoginTables})
		add(hostileCase{name: "/login/POST/password=" + h.name, ct: formCT, target: "/login",
			body: form("username", "alice", "password", h.value), want: wantHTMLError, mayChange: failedLoginTables})
		add(hostileCase{name: "/register/POST/username=" + h.name, ct: formCT, target: "/register",
			body: form("username", h.value, "password", "long enough password", "password_confirm", "long enough password", "return_to", h.value),
			want: wantHTMLError, returnTo: true, mayChange: failedLoginTables})
		add(hostileCase{name: "/register/POST/email=" + h.name, ct: formCT, target: "/register",
			body: form("email", h.value, "password", "long enough password", "password_confirm", "long enough password"),
			want: wantHTMLError, mayChange: failedLoginTables})
		add(hostileCase{name: "/register/POST/password=" + h.name, ct: formCT, target: "/register",
			body: form("username", "mallory", "password", h.value, "password_confirm", h.value+"x"),
			want: wantHTMLError, status: 400, mayChange: failedLoginTables})
		if headerSafe(h.value) && !strings.ContainsAny(h.value, ";\"") {
			add(hostileCase{name: "/logout/cookie=" + h.name, ct: formCT, target: "/logout",
				header: map[string]string{"Cookie": "genauth_session=" + h.value}, want: wantSignedOutHome})
		}
		// The step-up: signed out, on to the login page; signed in with one
		// factor, on to the second (a pending step-up held).
		add(hostileCase{name: "/login/mfa/step-up/return_to=" + h.name, method: http.MethodGet,
			target: "/login/mfa/step-up?" + form("return_to", h.value), want: wantLocalRedirect})
		add(hostileCase{name: "/login/mfa/step-up/signed-in/return_to=" + h.name, method: http.MethodGet,
			target: "/login/mfa/step-up?" + form("return_to", h.value), header: map[string]string{"Cookie": cookie},
			want: wantLocalRedirect, mayChange: []string{"passcodes"}})
		add(hostileCase{name: "/login/profile/logout/redirect_uri=" + h.name, method: http.MethodGet,
			target: "/login/profile/logout?" + form("redirect_uri", h.value), want: wantHTMLError, status: 400})
		add(hostileCase{name: "/login/profile/logout/app_id=" + h.name, method: http.MethodGet,
			target: "/login/profile/logout?" + form("app_id", h.value, "redirect_uri", "http://evil.example/"), want: wantHTMLError, status: 400})
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			end := func(name string, want want, kv ...string) {
				c := hostileCase{name: "/oidc/session/end/" + m + "/" + name, method: m, want: want, status: 400}
				if m == http.MethodGet {
					c.target = "/oidc/session/end?" + form(kv...)
				} else {
					c.target, c.ct, c.body = "/oidc/session/end", formCT, form(kv...)
				}
				add(c)
			}
			end("id_token_hint="+h.name, wantHTMLError, "id_token_hint", h.value, "post_logout_redirect_uri", hostileLogout)
			end("post_logout_redirect_uri="+h.name, wantHTMLError, "post_logout_redirect_uri", h.value, "client_id", clientID)
			end("client_id="+h.name, wantHTMLError, "post_logout_redirect_uri", hostileLogout, "client_id", h.value)
			// Signed in and without a hint: the confirmation page, the hostile
			// values carried on in its form.
			for _, field := range []string{"client_id", "post_logout_redirect_uri", "state"} {
				kv := map[string]string{"client_id": clientID, "post_logout_redirect_uri": hostileLogout, "state": "s"}
				kv[field] = h.value
				c := hostileCase{name: "/oidc/session/end/" + m + "/signed-in/" + field + "=" + h.name, method: m, want: wantPage,
					header: map[string]string{"Cookie": cookie}}
				q := form("client_id", kv["client_id"], "post_logout_redirect_uri", kv["post_logout_redirect_uri"], "state", kv["state"])
				if m == http.MethodGet {
					c.target = "/oidc/session/end?" + q
				} else {
					c.target, c.ct, c.body = "/oidc/session/end", formCT, q
				}
				add(c)
			}
		}
		// The confirmation, from GenAuth's page but with no session: a
		// redirect only to a registered logout callback of a known client.
		add(hostileCase{name: "/oidc/session/end/confirm/post_logout_redirect_uri=" + h.name, ct: formCT, target: "/oidc/session/end/confirm",
			header: sameOrigin, body: form("post_logout_redirect_uri", h.value, "client_id", clientID), want: wantHTMLError, status: 400})
		add(hostileCase{name: "/oidc/session/end/confirm/client_id=" + h.name, ct: formCT, target: "/oidc/session/end/confirm",
			header: sameOrigin, body: form("post_logout_redirect_uri", hostileLogout, "client_id", h.value), want: wantHTMLError, status: 400})
		add(hostileCase{name: "/oidc/discovery/query=" + h.name, method: http.MethodGet,
			target: "/oidc/.well-known/openid-configuration?" + form("x", h.value), want: wantJSONDocument})
		add(hostileCase{name: "/oidc/jwks/query=" + h.name, method: http.MethodGet,
			target: "/oidc/.well-known/jwks.json?" + form("x", h.value), want: wantJSONDocument})
		// The application's key set: a hostile id is an unknown application.
		add(hostileCase{name: "/{appId}/oidc/jwks/appId=" + h.name, method: http.MethodGet,
			target: "/" + url.PathEscape(h.value) + "/oidc/.well-known/jwks.json", want: wantOAuthError, status: 404, code: "invalid_request"})
		add(hostileCase{name: "/{appId}/oidc/jwks/query=" + h.name, method: http.MethodGet,
			target: "/" + clientID + "/oidc/.well-known/jwks.json?" + form("x", h.value), want: wantJSONDocument})
	}
	for i, r := range redirectTricks {
		add(hostileCase{name: fmt.Sprintf("/login/GET/return_to-trick-%d", i), method: http.MethodGet,
			target: "/login?" + form("return_to", strings.Replace(r, "http://localhost:3000", "", 1)), want: wantPage})
		add(hostileCase{name: fmt.Sprintf("/login/profile/logout/raw-trick-%d", i), method: http.MethodGet,
			target: "/login/profile/logout?redirect_uri=" + strings.ReplaceAll(strings.ReplaceAll(r, "\x00", "%00"), " ", "%20"),
			want:   wantHTMLError, status: 400})
	}
	for _, r := range []string{"//evil.example", "/\\evil.example", "/%2F%2Fevil.example", "/\t/evil.example", "https://evil.example/"} {
		add(hostileCase{name: "/login/GET/return_to-offsite-" + url.PathEscape(r), method: http.MethodGet,
			target: "/login?" + form("return_to", r), want: wantPage, returnTo: true})
		add(hostileCase{name: "/login/mfa/step-up/return_to-offsite-" + url.PathEscape(r), method: http.MethodGet,
			target: "/login/mfa/step-up?" + form("return_to", r), header: map[string]string{"Cookie": cookie},
			want: wantLocalRedirect, mayChange: []string{"passcodes"}})
	}
	for _, page := range []string{"/login", "/register", "/logout", "/consents/revoke"} {
		add(hostileCase{name: page + "/cross-site", ct: formCT, target: page, header: map[string]string{"Sec-Fetch-Site": "cross-site"},
			body: form("username", "alice", "password", "not the password"), want: wantHTMLError, status: 403})
		add(hostileCase{name: page + "/oversized", ct: formCT, target: page, body: "username=alice&" + oversized,
			want: wantHTMLError, status: 413})
		for _, b := range brokenForms {
			add(hostileCase{name: page + "/" + b.name, ct: formCT, target: page, body: "username=alice&" + b.raw,
				want: wantHTMLError, status: 400})
		}
		add(hostileCase{name: page + "/method-PUT", method: http.MethodPut, target: page, want: wantMethodNotAllowed})
	}
	for _, b := range brokenForms {
		add(hostileCase{name: "/oidc/session/end/" + b.name, method: http.MethodGet, target: "/oidc/session/end?" + b.raw,
			want: wantHTMLError, status: 400})
	}
	add(hostileCase{name: "/oidc/session/end/repeated", method: http.MethodGet,
		target: "/oidc/session/end?" + form("post_logout_redirect_uri", hostileLogout, "post_logout_redirect_uri", hostileLogout),
		want:   wantHTMLError, status: 400})
	add(hostileCase{name: "/oidc/session/end/oversized", ct: formCT, target: "/oidc/session/end", body: oversized,
		want: wantHTMLError, status: 400})
	confirm := "/oidc/session/end/confirm"
	signedIn := map[string]string{"Cookie": cookie}
	add(hostileCase{name: confirm + "/cross-site", ct: formCT, target: confirm, header: map[string]string{"Cookie": cookie, "Sec-Fetch-Site": "cross-site"},
		body: form("client_id", clientID), want: wantHTMLError, status: 403})
	add(hostileCase{name: confirm + "/foreign-origin", ct: formCT, target: confirm, header: map[string]string{"Cookie": cookie, "Origin": "http://evil.example"},
		body: form("client_id", clientID), want: wantHTMLError, status: 403})
	add(hostileCase{name: confirm + "/oversized", ct: formCT, target: confirm, header: signedIn, body: oversized, want: wantHTMLError, status: 400})
	add(hostileCase{name: confirm + "/repeated", ct: formCT, target: confirm, header: signedIn,
		body: form("client_id", clientID, "client_id", clientID), want: wantHTMLError, status: 400})
	for _, b := range brokenForms {
		add(hostileCase{name: confirm + "/" + b.name, ct: formCT, target: confirm, header: signedIn, body: b.raw, want: wantHTMLError, status: 400})
	}
	for _, m := range []string{http.MethodGet, http.MethodPut} {
		add(hostileCase{name: confirm + "/method-" + m, method: m, target: confirm, header: signedIn, want: wantMethodNotAllowed})
	}
	for _, path := range []string{"/oidc/.well-known/openid-configuration", "/oidc/.well-known/jwks.json"} {
		add(hostileCase{name: path + "/method-POST", ct: formCT, target: path, body: "x=1", want: wantMethodNotAllowed})
	}
	// CORS preflights: a hostile Origin is refused, a hostile header list is not echoed.
	for _, h := range hostilePayloads {
		if !headerSafe(h.value) {
			continue
		}
		for _, path := range []string{"/oauth/token", "/oidc/token", "/oidc/me", "/oidc/token/introspection", "/oidc/token/revocation"} {
			add(hostileCase{name: path + "/preflight-origin=" + h.name, method: http.MethodOptions, target: path,
				header: map[string]string{"Origin": h.value, "Access-Control-Request-Method": http.MethodPost},
				want:   wantPreflight, status: 403})
			add(hostileCase{name: path + "/preflight-headers=" + h.name, method: http.MethodOptions, target: path,
				header: map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": http.MethodPost,
					"Access-Control-Request-Headers": h.value},
				want: wantPreflight, status: 204})
		}
		add(hostileCase{name: "/oidc/discovery/preflight-origin=" + h.name, method: http.MethodOptions,
			target: "/oidc/.well-known/openid-configuration",
			header: map[string]string{"Origin": h.value, "Access-Control-Request-Method": http.MethodGet,
				"Access-Control-Request-Headers": h.value},
			want: wantPreflight, status: 204})
	}

	// The management API: without credentials, with forged ones, and with a
	// valid token but hostile parameters.
	bearer := map[string]string{"Authorization": "Bearer " + mgmt}
	api := func(name string) string { return "/api/v3/" + name }
	for _, h := range hostilePayloads {
		add(hostileCase{name: "/api/v3/unauthenticated/" + h.name, ct: "application/json", target: api("update-user"),
			body: mustJSON(map[string]any{"userId": userID, "nickname": h.value}), want: wantEnvelopeError, status: 401})
		if headerSafe(h.value) {
			add(hostileCase{name: "/api/v3/forged-token/" + h.name, ct: "application/json", target: api("update-user"),
				header: map[string]string{"Authorization": "Bearer " + h.value},
				body:   mustJSON(map[string]any{"userId": userID, "nickname": "x"}), want: wantEnvelopeError, status: 401})
		}
		add(hostileCase{name: "/api/v3/get-management-token/" + h.name, ct: "application/json", target: api("get-management-token"),
			body: mustJSON(map[string]any{"accessKeyId": h.value, "accessKeySecret": h.value}), want: wantEnvelopeError})
		add(hostileCase{name: "/api/v3/get-user/" + h.name, method: http.MethodGet, target: api("get-user") + "?" + form("userId", h.value),
			header: bearer, want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/get-application/" + h.name, method: http.MethodGet, target: api("get-application") + "?" + form("appId", h.value),
			header: bearer, want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/update-user/" + h.name, ct: "application/json", target: api("update-user"), header: bearer,
			body: mustJSON(map[string]any{"userId": h.value, "nickname": "x"}), want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/update-application/" + h.name, ct: "application/json", target: api("update-application"), header: bearer,
			body: mustJSON(map[string]any{"appId": h.value, "appName": "x"}), want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/delete-application/" + h.name, ct: "application/json", target: api("delete-application"), header: bearer,
			body: mustJSON(map[string]any{"appId": h.value}), want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/send-reset-password-code/" + h.name, ct: "application/json", target: api("send-reset-password-code"),
			header: bearer, body: mustJSON(map[string]any{"userId": h.value}), want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/get-user-mfa-info/" + h.name, method: http.MethodGet,
			target: api("get-user-mfa-info") + "?" + form("userId", h.value), header: bearer, want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/reset-user-mfa/" + h.name, ct: "application/json", target: api("reset-user-mfa"), header: bearer,
			body: mustJSON(map[string]any{"userId": h.value}), want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/update-global-mfa-settings/" + h.name, ct: "application/json", target: api("update-global-mfa-settings"),
			header: bearer, body: mustJSON(map[string]any{"enabledFactors": []string{h.value}}), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/update-global-mfa-settings/policy/" + h.name, ct: "application/json", target: api("update-global-mfa-settings"),
			header: bearer, body: mustJSON(map[string]any{"mfaPolicy": h.value}), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/disable-global-mfa-settings/" + h.name, ct: "application/json", target: api("disable-global-mfa-settings"),
			header: bearer, body: mustJSON(map[string]any{"disableFactors": []string{h.value}}), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/update-application-mfa-settings/" + h.name, ct: "application/json", target: api("update-application-mfa-settings"),
			header: bearer, body: mustJSON(map[string]any{"appId": h.value, "enabledFactors": []string{"OTP"}}), want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/update-application/mfaPolicy/" + h.name, ct: "application/json", target: api("update-application"),
			header: bearer, body: mustJSON(map[string]any{"appId": clientID, "mfaPolicy": h.value}), want: wantEnvelopeError, status: 400})
		// Upstream identity providers: an unknown id is 404, a bad type 400; nothing is stored.
		add(hostileCase{name: "/api/v3/get-ext-idp/" + h.name, method: http.MethodGet, target: api("get-ext-idp") + "?" + form("id", h.value),
			header: bearer, want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/create-ext-idp/type/" + h.name, ct: "application/json", target: api("create-ext-idp"), header: bearer,
			body: mustJSON(map[string]any{"name": "Corp", "type": h.value}), want: wantEnvelopeError, status: 400})
		for _, c := range []struct {
			endpoint string
			body     map[string]any
		}{
			{"update-ext-idp", map[string]any{"id": h.value, "name": "Corp"}},
			{"delete-ext-idp", map[string]any{"id": h.value}},
			{"create-ext-idp-conn", map[string]any{"extIdpId": h.value, "fields": map[string]any{"issuer": "https://sso.example"}}},
			{"update-ext-idp-conn", map[string]any{"id": h.value, "fields": map[string]any{}}},
			{"delete-ext-idp-conn", map[string]any{"id": h.value}},
			{"change-ext-idp-conn-state", map[string]any{"id": h.value, "enabled": true, "appId": clientID}},
			{"unlink-identity", map[string]any{"userId": h.value, "extIdpId": "x"}},
		} {
			add(hostileCase{name: "/api/v3/" + c.endpoint + "/" + h.name, ct: "application/json", target: api(c.endpoint), header: bearer,
				body: mustJSON(c.body), want: wantEnvelopeError, status: 404})
		}
		add(hostileCase{name: "/api/v3/get-user-identities/" + h.name, method: http.MethodGet,
			target: api("get-user-identities") + "?" + form("userId", h.value), header: bearer, want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/create-user-form/" + h.name, ct: formCT, target: api("create-user"), header: bearer,
			body: form("username", h.value, "password", "long enough password"), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/path/" + h.name, method: http.MethodGet, target: api(url.PathEscape(h.value)), header: bearer,
			want: wantEnvelopeError, status: 404})
	}
	for _, b := range []struct{ name, body string }{
		{"malformed", `{"username":`},
		{"array", `[{"username":"x"}]`},
		{"null", `null`},
		{"string", `"username"`},
		{"nul-byte", "{\"username\":\"a\x00b\"}"},
		{"invalid-utf8", "{\"username\":\"\xff\"}"},
		{"wrong-type", `{"username":["x"],"password":{"a":1}}`},
		{"oversized", `{"username":"` + strings.Repeat("a", 1<<20) + `"}`},
	} {
		add(hostileCase{name: "/api/v3/create-user-body/" + b.name, ct: "application/json", target: api("create-user"), header: bearer,
			body: b.body, want: wantEnvelopeError, status: 400})
	}
	add(hostileCase{name: "/api/v3/create-user/method-GET", method: http.MethodGet, target: api("create-user"), header: bearer,
		want: wantEnvelopeError, status: 405})

	// The authentication API: hostile identifiers, app ids, tokens and bodies.
	appHeader := map[string]string{"x-authing-app-id": clientID}
	signin := func(payload map[string]any) string {
		return mustJSON(map[string]any{"connection": "PASSWORD", "passwordPayload": payload, "client_id": clientID, "client_secret": secret})
	}
	for _, h := range hostilePayloads {
		// A refused sign-in counts against the account and the address.
		add(hostileCase{name: "/api/v3/signin/username/" + h.name, ct: "application/json", target: api("signin"), header: appHeader,
			body: signin(map[string]any{"username": h.value, "password": "not the password"}), want: wantEnvelopeError, mayChange: failedLoginTables})
		add(hostileCase{name: "/api/v3/signin/connection/" + h.name, ct: "application/json", target: api("signin"), header: appHeader,
			body: mustJSON(map[string]any{"connection": h.value}), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/signin/rsa/" + h.name, ct: "application/json", target: api("signin"), header: appHeader,
			body: mustJSON(map[string]any{"connection": "PASSWORD", "passwordPayload": map[string]any{"username": "alice", "password": h.value},
				"options": map[string]any{"passwordEncryptType": "rsa"}, "client_id": clientID, "client_secret": secret}),
			want: wantEnvelopeError, mayChange: failedLoginTables})
		// No directory is enabled: a hostile login is refused before any is reached.
		for _, c := range []struct{ connection, payload string }{{"LDAP", "ldapPayload"}, {"AD", "adPayload"}} {
			add(hostileCase{name: "/api/v3/signin/" + c.payload + "/" + h.name, ct: "application/json", target: api("signin"), header: appHeader,
				body: mustJSON(map[string]any{"connection": c.connection, c.payload: map[string]any{"sAMAccountName": h.value, "password": h.value},
					"client_id": clientID, "client_secret": secret}), want: wantEnvelopeError, status: 400})
		}
		add(hostileCase{name: "/api/v3/generate-link-extidp-url/app_id/" + h.name, method: http.MethodGet,
			target: api("generate-link-extidp-url") + "?" + form("ext_idp_conn_identifier", "corp", "app_id", h.value, "id_token", "x.y.z"),
			want:   wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/generate-link-extidp-url/id_token/" + h.name, method: http.MethodGet,
			target: api("generate-link-extidp-url") + "?" + form("ext_idp_conn_identifier", h.value, "app_id", clientID, "id_token", h.value),
			want:   wantEnvelopeError, status: 401})
		if headerSafe(h.value) {
			add(hostileCase{name: "/api/v3/get-application-enabled-extidps/app-id/" + h.name, method: http.MethodGet,
				target: api("get-application-enabled-extidps"), header: map[string]string{"x-authing-app-id": h.value}, want: wantEnvelopeError, status: 404})
		}
		add(hostileCase{name: "/api/v3/check-app-id-secret/" + h.name, ct: "application/json", target: api("check-app-id-secret"),
			body: mustJSON(map[string]any{"appId": h.value, "appSecret": h.value}), want: wantEnvelopeError, status: 404})
		add(hostileCase{name: "/api/v3/validate-password/client_id/" + h.name, ct: "application/json", target: api("validate-password"),
			body: mustJSON(map[string]any{"client_id": h.value, "username": "alice", "password": "x"}), want: wantEnvelopeError, status: 404})
		if headerSafe(h.value) {
			add(hostileCase{name: "/api/v3/signin/app-id/" + h.name, ct: "application/json", target: api("signin"),
				header: map[string]string{"x-authing-app-id": h.value},
				body:   signin(map[string]any{"username": "alice", "password": "x"}), want: wantEnvelopeError, status: 404})
			add(hostileCase{name: "/api/v3/get-profile/token/" + h.name, method: http.MethodGet, target: api("get-profile"),
				header: map[string]string{"Authorization": h.value, "x-authing-app-id": clientID}, want: wantEnvelopeError, status: 401})
		}
		add(hostileCase{name: "/api/v3/get-profile/query/" + h.name, method: http.MethodGet, target: api("get-profile") + "?" + form("withCustomData", h.value),
			header: map[string]string{"Authorization": "Bearer nope"}, want: wantEnvelopeError, status: 400})
		// Verification codes: a hostile address, channel or country code is
		// refused before anything is counted, stored or sent.
		add(hostileCase{name: "/api/v3/send-email/email/" + h.name, ct: "application/json", target: api("send-email"), header: appHeader,
			body: mustJSON(map[string]any{"channel": "CHANNEL_LOGIN", "email": h.value}), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/send-email/channel/" + h.name, ct: "application/json", target: api("send-email"), header: appHeader,
			body: mustJSON(map[string]any{"channel": h.value, "email": "alice@example.com"}), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/send-sms/phone/" + h.name, ct: "application/json", target: api("send-sms"), header: appHeader,
			body: mustJSON(map[string]any{"channel": "CHANNEL_LOGIN", "phoneNumber": h.value}), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/send-sms/country-code/" + h.name, ct: "application/json", target: api("send-sms"), header: appHeader,
			body: mustJSON(map[string]any{"channel": "CHANNEL_LOGIN", "phoneNumber": "13800000000", "phoneCountryCode": h.value}),
			want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/pre-check-code/code-type/" + h.name, ct: "application/json", target: api("pre-check-code"), header: appHeader,
			body: mustJSON(map[string]any{"codeType": h.value}), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/pre-check-code/email/" + h.name, ct: "application/json", target: api("pre-check-code"), header: appHeader,
			body: mustJSON(map[string]any{"codeType": "EMAIL", "emailCodePayload": map[string]any{"email": h.value, "passCode": "123456",
				"channel": "CHANNEL_LOGIN"}}), want: wantEnvelopeError, status: 400})
		// A hostile code is a wrong code: a failed sign-in (403, or 429 once the account is locked).
		add(hostileCase{name: "/api/v3/signin/passcode/" + h.name, ct: "application/json", target: api("signin"), header: appHeader,
			body: mustJSON(map[string]any{"connection": "PASSCODE", "passCodePayload": map[string]any{"email": "alice@example.com", "passCode": h.value},
				"client_id": clientID, "client_secret": secret}), want: wantEnvelopeError, mayChange: failedLoginTables})
		// Password reset: a hostile method or address is refused; a hostile
		// code or token is a wrong one (403) and changes nothing.
		add(hostileCase{name: "/api/v3/verify-reset-password-request/method/" + h.name, ct: "application/json", target: api("verify-reset-password-request"),
			header: appHeader, body: mustJSON(map[string]any{"verifyMethod": h.value}), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/verify-reset-password-request/email/" + h.name, ct: "application/json", target: api("verify-reset-password-request"),
			header: appHeader, body: mustJSON(map[string]any{"verifyMethod": "EMAIL_PASSCODE",
				"emailPassCodePayload": map[string]any{"email": h.value, "passCode": "123456"}}), want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/verify-reset-password-request/passcode/" + h.name, ct: "application/json", target: api("verify-reset-password-request"),
			header: appHeader, body: mustJSON(map[string]any{"verifyMethod": "EMAIL_PASSCODE",
				"emailPassCodePayload": map[string]any{"email": "alice@example.com", "passCode": h.value}}), want: wantEnvelopeError})
		add(hostileCase{name: "/api/v3/reset-password/token/" + h.name, ct: "application/json", target: api("reset-password"), header: appHeader,
			body: mustJSON(map[string]any{"password": "a brand new secret", "passwordResetToken": h.value}), want: wantEnvelopeError})
		add(hostileCase{name: "/api/v3/reset-password/password/" + h.name, ct: "application/json", target: api("reset-password"), header: appHeader,
			body: mustJSON(map[string]any{"password": h.value, "passwordResetToken": "bm9ib2R5.secret"}), want: wantEnvelopeError})
	}
	for _, b := range []struct{ name, body string }{
		{"malformed", `{"connection":`},
		{"array", `[{"connection":"PASSWORD"}]`},
		{"null", `null`},
		{"repeated-key", `{"connection":"PASSWORD","connection":"LDAP"}`},
		{"nul-byte", "{\"connection\":\"PASS\x00WORD\"}"},
		{"invalid-utf8", "{\"connection\":\"\xff\"}"},
		{"wrong-type", `{"connection":"PASSWORD","passwordPayload":["x"]}`},
		{"oversized", `{"connection":"` + strings.Repeat("a", 1<<20) + `"}`},
	} {
		for _, endpoint := range []string{"signin", "send-email", "send-sms", "pre-check-code", "verify-reset-password-request", "reset-password",
			"mfa-totp-verify", "mfa-sms-verify", "mfa-email-verify", "mfa-recovery-code-verify", "send-enroll-factor-request", "enroll-factor",
			"reset-factor", "webauthn/registration", "webauthn/authentication"} {
			add(hostileCase{name: "/api/v3/" + endpoint + "-body/" + b.name, ct: "application/json", target: api(endpoint), header: appHeader,
				body: b.body, want: wantEnvelopeError, status: 400})
		}
	}
	add(hostileCase{name: "/api/v3/signin/method-GET", method: http.MethodGet, target: api("signin"), header: appHeader,
		want: wantEnvelopeError, status: 405})
	add(hostileCase{name: "/api/v3/system/method-POST", ct: "application/json", target: api("system"), body: "{}",
		want: wantEnvelopeError, status: 405})
	// An mfaToken that is not one is simply not active.
	for _, h := range hostilePayloads {
		add(hostileCase{name: "/mfa/token/introspection/token/" + h.name, ct: "application/x-www-form-urlencoded",
			target: "/mfa/token/introspection", body: form("token", h.value), want: wantInactive})
	}
	for _, b := range brokenForms {
		add(hostileCase{name: "/mfa/token/introspection/" + b.name, ct: "application/x-www-form-urlencoded",
			target: "/mfa/token/introspection", body: "token=x&" + b.raw, want: wantOAuthError, status: 400, code: "invalid_request"})
	}
	add(hostileCase{name: "/mfa/token/introspection/method-GET", method: http.MethodGet, target: "/mfa/token/introspection",
		want: wantMethodNotAllowed})
	return cs
}

// apiUserToken signs the user in through the authentication API and
// returns the access token.
func apiUserToken(t *testing.T, srv *testserver.Server, clientID, secret, username, password string) string {
	t.Helper()
	body := mustJSON(map[string]any{"connection": "PASSWORD", "passwordPayload": map[string]any{"username": username, "password": password},
		"client_id": clientID, "client_secret": secret})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/api/v3/signin", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-authing-app-id", clientID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct {
		Data struct {
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || a.Data.AccessToken == "" {
		t.Fatalf("signing in through the API: %v", err)
	}
	return a.Data.AccessToken
}

// accountHostileCases are the authentication API's user endpoints with a
// valid user token and hostile parameters, and with hostile tokens.
func accountHostileCases(clientID, userToken string) []hostileCase {
	var cs []hostileCase
	add := func(c hostileCase) {
		if c.method == "" {
			c.method = http.MethodPost
		}
		if carriesNonText(c) {
			c = refusedAtEdge(c)
		}
		cs = append(cs, c)
	}
	api := func(name string) string { return "/api/v3/" + name }
	as := map[string]string{"x-authing-app-id": clientID, "Authorization": userToken}
	for _, h := range hostilePayloads {
		for _, field := range []string{"username", "gender"} {
			add(hostileCase{name: "/api/v3/update-profile/" + field + "/" + h.name, ct: "application/json", target: api("update-profile"),
				header: as, body: mustJSON(map[string]any{field: h.value}), want: wantEnvelopeError, status: 400})
		}
		// MFA verification: a code that cannot be one is refused before any attempt counts.
		for _, c := range []struct{ endpoint, field string }{
			{"mfa-totp-verify", "totp"}, {"mfa-sms-verify", "passCode"}, {"mfa-email-verify", "passCode"},
			{"mfa-recovery-code-verify", "recoveryCode"},
		} {
			add(hostileCase{name: "/api/v3/" + c.endpoint + "/" + c.field + "/" + h.name, ct: "application/json", target: api(c.endpoint),
				header: as, body: mustJSON(map[string]any{c.field: h.value}), want: wantEnvelopeError, status: 400})
		}
		if headerSafe(h.value) {
			add(hostileCase{name: "/api/v3/mfa-totp-verify/token/" + h.name, ct: "application/json", target: api("mfa-totp-verify"),
				header: map[string]string{"Authorization": h.value, "x-authing-app-id": clientID}, body: `{"totp":"123456"}`,
				want: wantEnvelopeError, status: 401})
		}
		// Factors: nothing is sent, granted or enrolled.
		for _, c := range []struct {
			endpoint, field string
			body            map[string]any
		}{
			{"send-enroll-factor-request", "factorType", map[string]any{"factorType": h.value}},
			{"send-enroll-factor-request", "phoneNumber", map[string]any{"factorType": "SMS", "profile": map[string]any{"phoneNumber": h.value}}},
			{"send-enroll-factor-request", "phoneCountryCode", map[string]any{"factorType": "SMS", "profile": map[string]any{"phoneNumber": "13800000000", "phoneCountryCode": h.value}}},
			{"send-enroll-factor-request", "email", map[string]any{"factorType": "EMAIL", "profile": map[string]any{"email": h.value}}},
			{"enroll-factor", "factorType", map[string]any{"factorType": h.value, "enrollmentToken": "x", "enrollmentData": map[string]any{"passCode": "123456"}}},
			{"enroll-factor", "enrollmentToken", map[string]any{"factorType": "OTP", "enrollmentToken": h.value, "enrollmentData": map[string]any{"passCode": "123456"}}},
			{"enroll-factor", "passCode", map[string]any{"factorType": "OTP", "enrollmentToken": "x", "enrollmentData": map[string]any{"passCode": h.value}}},
			{"reset-factor", "factorId", map[string]any{"factorId": h.value}},
		} {
			add(hostileCase{name: "/api/v3/" + c.endpoint + "/" + c.field + "/" + h.name, ct: "application/json", target: api(c.endpoint),
				header: as, body: mustJSON(c.body), want: wantEnvelopeError})
		}
		for _, endpoint := range []string{"get-factor", "get-factors"} {
			add(hostileCase{name: "/api/v3/" + endpoint + "/factorId/" + h.name, method: http.MethodGet, target: api(endpoint) + "?" + form("factorId", h.value),
				header: as, want: wantEnvelopeError})
		}
		add(hostileCase{name: "/api/v3/send-sms/verify-mfa/" + h.name, ct: "application/json", target: api("send-sms"),
			header: as, body: mustJSON(map[string]any{"channel": "CHANNEL_VERIFY_MFA", "phoneNumber": h.value}), want: wantEnvelopeError, status: 400})
		// A wrong old password counts as a failed sign-in.
		add(hostileCase{name: "/api/v3/update-password/old/" + h.name, ct: "application/json", target: api("update-password"),
			header: as, body: mustJSON(map[string]any{"oldPassword": h.value, "newPassword": "a brand new secret"}),
			want: wantEnvelopeError, mayChange: failedLoginTables})
		add(hostileCase{name: "/api/v3/update-password/new/" + h.name, ct: "application/json", target: api("update-password"),
			header: as, body: mustJSON(map[string]any{"oldPassword": "not the password", "newPassword": h.value}),
			want: wantEnvelopeError, mayChange: failedLoginTables})
		add(hostileCase{name: "/api/v3/update-password/encrypt/" + h.name, ct: "application/json", target: api("update-password"),
			header: as, body: mustJSON(map[string]any{"oldPassword": "x", "newPassword": "y", "passwordEncryptType": h.value}),
			want: wantEnvelopeError, status: 400})
		// A refused registration counts against the address.
		for _, field := range []string{"username", "email"} {
			add(hostileCase{name: "/api/v3/signup/" + field + "/" + h.name, ct: "application/json", target: api("signup"),
				header: map[string]string{"x-authing-app-id": clientID},
				body:   mustJSON(map[string]any{"connection": "PASSWORD", "passwordPayload": map[string]any{field: h.value, "password": "x"}}),
				want:   wantEnvelopeError, mayChange: failedLoginTables})
		}
		// Binding: no code was sent, so nothing changes.
		for _, c := range []struct {
			endpoint string
			body     map[string]any
		}{
			{"bind-email", map[string]any{"email": h.value, "passCode": "123456"}},
			{"bind-email", map[string]any{"email": "new@example.com", "passCode": h.value}},
			{"bind-phone", map[string]any{"phoneNumber": h.value, "passCode": "123456"}},
			{"bind-phone", map[string]any{"phoneNumber": "13800000000", "phoneCountryCode": h.value, "passCode": "123456"}},
			{"unbind-email", map[string]any{"passCode": h.value}},
			{"unbind-phone", map[string]any{"passCode": h.value}},
		} {
			field := "passCode"
			for k, v := range c.body {
				if v == h.value {
					field = k
				}
			}
			add(hostileCase{name: "/api/v3/" + c.endpoint + "/" + field + "/" + h.name, ct: "application/json", target: api(c.endpoint),
				header: as, body: mustJSON(c.body), want: wantEnvelopeError})
		}
		// Changes and deletion: no code was sent and no grant made, so nothing changes.
		for _, c := range []struct {
			endpoint, field string
			body            map[string]any
		}{
			{"verify-update-email-request", "newEmail", map[string]any{"verifyMethod": "EMAIL_PASSCODE",
				"emailPassCodePayload": map[string]any{"newEmail": h.value, "newEmailPassCode": "123456"}}},
			{"verify-update-email-request", "newEmailPassCode", map[string]any{"verifyMethod": "EMAIL_PASSCODE",
				"emailPassCodePayload": map[string]any{"newEmail": "new@example.com", "newEmailPassCode": h.value}}},
			{"verify-update-phone-request", "newPhoneNumber", map[string]any{"verifyMethod": "PHONE_PASSCODE",
				"phonePassCodePayload": map[string]any{"newPhoneNumber": h.value, "newPhonePassCode": "123456"}}},
			{"verify-update-phone-request", "newPhoneCountryCode", map[string]any{"verifyMethod": "PHONE_PASSCODE",
				"phonePassCodePayload": map[string]any{"newPhoneNumber": "13800000000", "newPhoneCountryCode": h.value, "newPhonePassCode": "123456"}}},
			{"verify-update-email-request", "verifyMethod", map[string]any{"verifyMethod": h.value}},
			{"verify-delete-account-request", "verifyMethod", map[string]any{"verifyMethod": h.value}},
			{"update-email", "updateEmailToken", map[string]any{"updateEmailToken": h.value}},
			{"update-phone", "updatePhoneToken", map[string]any{"updatePhoneToken": h.value}},
			{"delete-account", "deleteAccountToken", map[string]any{"deleteAccountToken": h.value}},
		} {
			add(hostileCase{name: "/api/v3/" + c.endpoint + "/" + c.field + "/" + h.name, ct: "application/json", target: api(c.endpoint),
				header: as, body: mustJSON(c.body), want: wantEnvelopeError})
		}
		add(hostileCase{name: "/api/v3/unlink-extidp/" + h.name, ct: "application/json", target: api("unlink-extidp"),
			header: as, body: mustJSON(map[string]any{"extIdpId": h.value}), want: wantEnvelopeError, status: 404})
		// A wrong password counts as a failed sign-in.
		add(hostileCase{name: "/api/v3/verify-delete-account-request/password/" + h.name, ct: "application/json", target: api("verify-delete-account-request"),
			header: as, body: mustJSON(map[string]any{"verifyMethod": "PASSWORD", "passwordPayload": map[string]any{"password": h.value}}),
			want: wantEnvelopeError, mayChange: failedLoginTables})
		// Pass-code sign-up: no code was sent, so nothing is created.
		for _, payload := range []map[string]any{
			{"email": h.value, "passCode": "123456"}, {"phone": h.value, "passCode": "123456"},
			{"phone": "13800000000", "phoneCountryCode": h.value, "passCode": "123456"}, {"email": "new@example.com", "passCode": h.value},
		} {
			field := "passCode"
			for k, v := range payload {
				if v == h.value {
					field = k
				}
			}
			add(hostileCase{name: "/api/v3/signup/passcode/" + field + "/" + h.name, ct: "application/json", target: api("signup"),
				header: map[string]string{"x-authing-app-id": clientID},
				body:   mustJSON(map[string]any{"connection": "PASSCODE", "passCodePayload": payload}),
				want:   wantEnvelopeError, mayChange: failedLoginTables})
		}
		for _, option := range []string{"emailPassCodeForInformationCompletion", "phonePassCodeForInformationCompletion"} {
			add(hostileCase{name: "/api/v3/signup/" + option + "/" + h.name, ct: "application/json", target: api("signup"),
				header: map[string]string{"x-authing-app-id": clientID},
				body: mustJSON(map[string]any{"connection": "PASSWORD", "passwordPayload": map[string]any{"username": "newcomer", "password": "long enough secret"},
					"profile": map[string]any{"email": "newcomer@example.com", "phone": "+8613800000000"}, "options": map[string]any{option: h.value}}),
				want: wantEnvelopeError, mayChange: failedLoginTables})
		}
		add(hostileCase{name: "/api/v3/signup/connection/" + h.name, ct: "application/json", target: api("signup"),
			header: map[string]string{"x-authing-app-id": clientID}, body: mustJSON(map[string]any{"connection": h.value}),
			want: wantEnvelopeError, status: 400})
		add(hostileCase{name: "/api/v3/signup/profile/" + h.name, ct: "application/json", target: api("signup"),
			header: map[string]string{"x-authing-app-id": clientID},
			body: mustJSON(map[string]any{"connection": "PASSWORD", "passwordPayload": map[string]any{"username": "newcomer", "password": "long enough secret"},
				"profile": map[string]any{"gender": h.value}}),
			want: wantEnvelopeError, mayChange: failedLoginTables})
		if headerSafe(h.value) {
			add(hostileCase{name: "/api/v3/signup/app-id/" + h.name, ct: "application/json", target: api("signup"),
				header: map[string]string{"x-authing-app-id": h.value}, body: mustJSON(map[string]any{"connection": "PASSWORD"}),
				want: wantEnvelopeError, status: 404})
		}
		for _, q := range []string{"page", "limit", "start", "end", "success"} {
			add(hostileCase{name: "/api/v3/get-my-login-history/" + q + "/" + h.name, method: http.MethodGet,
				target: api("get-my-login-history") + "?" + form(q, h.value), header: as, want: wantEnvelopeError, status: 400})
		}
		if headerSafe(h.value) {
			for _, ep := range []string{"get-security-info", "get-my-login-history", "get-my-logged-in-apps", "get-my-accessible-apps"} {
				add(hostileCase{name: "/api/v3/" + ep + "/token/" + h.name, method: http.MethodGet, target: api(ep),
					header: map[string]string{"Authorization": h.value, "x-authing-app-id": clientID}, want: wantEnvelopeError, status: 401})
			}
			for _, ep := range []string{"update-profile", "update-password"} {
				add(hostileCase{name: "/api/v3/" + ep + "/token/" + h.name, ct: "application/json", target: api(ep), body: "{}",
					header: map[string]string{"Authorization": h.value, "x-authing-app-id": clientID}, want: wantEnvelopeError, status: 401})
			}
		}
	}
	return cs
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func sendHostile(t *testing.T, client *http.Client, base string, c hostileCase) (int, http.Header, string) {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), c.method, base+c.target, body)
	if err != nil {
		t.Fatalf("building the request: %v", err)
	}
	if c.ct != "" {
		req.Header.Set("Content-Type", c.ct)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

var (
	returnToRE   = regexp.MustCompile(`name="return_to" value="([^"]*)"`)
	rfc6749Codes = []string{"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
		"unsupported_grant_type", "invalid_scope", "invalid_token", "unsupported_response_type", "access_denied",
		"request_not_supported", "request_uri_not_supported", "login_required", "consent_required"}
)

func checkHostileAnswer(t *testing.T, c hostileCase, status int, header http.Header, body string) {
	t.Helper()
	short := truncate(body, 300)
	if status >= 500 {
		t.Fatalf("status %d: %s", status, short)
	}
	if c.status != 0 && c.want != wantEnvelopeError && status != c.status {
		t.Errorf("status %d, want %d: %s", status, c.status, short)
	}
	// A refusal for now (a locked sign-in, a limit) says when to come back.
	if (status == http.StatusTooManyRequests || strings.Contains(body, `"statusCode":429`)) && header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After: %s", short)
	}
	for _, leak := range []string{"goroutine ", ".go:", "runtime error", "panic", "sql: ", "SQLITE"} {
		if strings.Contains(body, leak) {
			t.Errorf("the answer leaks an internal detail (%q): %s", leak, short)
		}
	}
	for _, v := range header.Values("Set-Cookie") {
		if strings.Contains(v, "pwned") {
			t.Errorf("a header was injected: Set-Cookie %q", v)
		}
	}
	ct := header.Get("Content-Type")
	if strings.HasPrefix(ct, "text/html") {
		// No page of GenAuth has a script but its own passkey script; another
		// in the answer came from the request.
		if lower := strings.ToLower(passkeyScript.ReplaceAllString(body, "")); strings.Contains(lower, "<script") || strings.Contains(lower, "<img src=x") {
			t.Errorf("the hostile value is reflected into the HTML unescaped")
		}
	}
	switch c.want {
	case wantOAuthError:
		if status < 400 || status > 499 {
			t.Fatalf("status %d, want a 4xx: %s", status, short)
		}
		if !strings.HasPrefix(ct, "application/json") || header.Get("Cache-Control") != "no-store" {
			t.Errorf("Content-Type %q, Cache-Control %q; want application/json, no-store", ct, header.Get("Cache-Control"))
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Fatalf("not JSON: %v: %s", err, short)
		}
		code, _ := e["error"].(string)
		if !slices.Contains(rfc6749Codes, code) || (c.code != "" && code != c.code) {
			t.Errorf("error %q, want %q: %s", code, c.code, short)
		}
		for k := range e {
			if k != "error" && k != "error_description" {
				t.Errorf("unexpected member %q in the error: %s", k, short)
			}
		}
		if code == "invalid_client" && strings.HasPrefix(c.header["Authorization"], "Basic ") &&
			!strings.HasPrefix(header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("invalid_client after Basic without a Basic challenge")
		}
	case wantHTMLError, wantPage, wantPageOrError:
		lo, hi := 400, 499
		if c.want == wantPage || c.want == wantPageOrError && status == http.StatusOK {
			lo, hi = 200, 200
		}
		if status < lo || status > hi {
			t.Fatalf("status %d, want %d..%d: %s", status, lo, hi, short)
		}
		if !strings.HasPrefix(ct, "text/html") || !strings.HasPrefix(body, "<!doctype html>") || !strings.Contains(body, "</html>") {
			t.Errorf("Content-Type %q, want a whole HTML page: %s", ct, short)
		}
		if c.returnTo {
			m := returnToRE.FindStringSubmatch(body)
			if m == nil || m[1] != "/" {
				t.Errorf("the page's return_to is %q, want the safe default \"/\"", m)
			}
		}
	case wantErrorRedirect:
		loc, err := url.Parse(header.Get("Location"))
		if status != http.StatusFound || err != nil {
			t.Fatalf("status %d, Location %q: want 302 to the client: %s", status, header.Get("Location"), short)
		}
		q := loc.Query()
		if !strings.HasPrefix(loc.String(), hostileCallback+"?") {
			t.Errorf("redirected to %.200q, want the registered redirect URI", loc)
		}
		if code := q.Get("error"); !slices.Contains(rfc6749Codes, code) || (c.code != "" && code != c.code) {
			t.Errorf("error %q, want %q", code, c.code)
		}
		if q.Get("state") != c.state {
			t.Errorf("state came back as %.80q, want %.80q", q.Get("state"), c.state)
		}
		if q.Has("code") || q.Has("access_token") || loc.Fragment != "" {
			t.Errorf("an error redirect carries a grant: %.200q", loc)
		}
	case wantInactive:
		if status != http.StatusOK || strings.TrimSpace(body) != `{"active":false}` {
			t.Errorf("got %d %s, want 200 {\"active\":false}", status, short)
		}
	case wantRevoked:
		if status != http.StatusOK || strings.TrimSpace(body) != "true" {
			t.Errorf("got %d %s, want 200 true", status, short)
		}
	case wantEnvelopeError:
		var env struct {
			StatusCode *int            `json:"statusCode"`
			Message    string          `json:"message"`
			RequestID  string          `json:"requestId"`
			Data       json.RawMessage `json:"data"`
		}
		if status != http.StatusOK || json.Unmarshal([]byte(body), &env) != nil || env.StatusCode == nil {
			t.Fatalf("got %d %s, want HTTP 200 with the management envelope", status, short)
		}
		if *env.StatusCode < 400 || *env.StatusCode > 499 || (c.status != 0 && *env.StatusCode != c.status) ||
			env.Message == "" || env.RequestID == "" || len(env.Data) != 0 {
			t.Errorf("envelope %s, want statusCode %d with a message and no data", short, c.status)
		}
	case wantMethodNotAllowed:
		if status != http.StatusMethodNotAllowed || header.Get("Allow") == "" {
			t.Errorf("got %d (Allow %q), want 405 with Allow", status, header.Get("Allow"))
		}
	case wantLocalRedirect:
		if loc := header.Get("Location"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") ||
			strings.HasPrefix(loc, "/\\") {
			t.Errorf("got %d to %q, want 303 to a path on this server", status, loc)
		}
	case wantSignedOutHome:
		if status != http.StatusSeeOther || header.Get("Location") != "/" {
			t.Errorf("got %d to %q, want 303 to /", status, header.Get("Location"))
		}
	case wantPreflight:
		allow := header.Get("Access-Control-Allow-Origin")
		if body != "" || header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight answer %q with credentials %q; want no body and no credentials", short, header.Get("Access-Control-Allow-Credentials"))
		}
		if (status == http.StatusForbidden) != (allow == "") || (allow != "" && allow != "*" && allow != c.header["Origin"]) {
			t.Errorf("status %d allows origin %q; want 204 with the request's origin or *, or 403 with none", status, allow)
		}
		if names := header.Get("Access-Control-Allow-Headers"); strings.Trim(names,
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~,") != "" {
			t.Errorf("Access-Control-Allow-Headers %.80q echoes what is not a header name", names)
		}
	case wantNotVerified:
		var env struct {
			StatusCode int             `json:"statusCode"`
			Data       json.RawMessage `json:"data"`
		}
		if status != http.StatusOK || json.Unmarshal([]byte(body), &env) != nil ||
			!(env.StatusCode >= 400 && env.StatusCode <= 499 && len(env.Data) == 0) && !(env.StatusCode == 200 && string(env.Data) == `{"verified":false}`) {
			t.Errorf("got %d %s, want an envelope error or {\"verified\":false}", status, short)
		}
	case wantCeremonyRefusal:
		checkCeremonyRefusal(t, status, header, body)
	case wantUpstreamRedirect:
		checkUpstreamRedirect(t, status, header)
	case wantJSONDocument:
		var doc map[string]any
		if status != http.StatusOK || !strings.HasPrefix(ct, "application/json") || json.Unmarshal([]byte(body), &doc) != nil || len(doc) == 0 {
			t.Errorf("got %d %q %s, want the JSON document", status, ct, short)
		}
	}
}

func mergedKeys(a, b map[string][]string) map[string]bool {
	m := make(map[string]bool, len(a))
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return m
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
