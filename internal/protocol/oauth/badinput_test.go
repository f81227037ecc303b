package oauth_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// oversized is a form body just over the 64 KiB limit.
var oversized = "grant_type=refresh_token&token=x&access_token=x&pad=" + strings.Repeat("a", 64<<10)

func basicHeader(raw string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(raw))}
}

// badCase is one bad request to a protocol endpoint and the error it must get.
type badCase struct {
	name    string
	method  string // default POST
	query   string
	ct      string // default form-urlencoded when there is a body; "-" for none
	body    string
	header  map[string]string
	chunked bool // send the body without a Content-Length
	status  int
	error   string
	allow   string // the Allow header a 405 must carry
	// challenge is the scheme WWW-Authenticate must start with, "" for none.
	challenge string
}

// TestBadInput sends malformed, missing, repeated and oversized parameters,
// wrong methods and content types, unknown grants and clients and garbage
// Authorization headers to every JSON protocol endpoint under both prefixes:
// each gets RFC 6749 error JSON with the right status, never a 500, never an
// internal detail.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	public := e.newApp(t, apps.CreateParams{TokenAuthMethod: model.AuthNone})
	m2m := e.newApp(t, apps.CreateParams{GrantTypes: []string{model.GrantClientCredentials}, RedirectURIs: []string{}})
	access := e.tokens(t, c, "oauth").AccessToken
	creds := "&client_id=" + c.id + "&client_secret=" + c.secret
	long := strings.Repeat("x", 5000)

	// clientAuth are the failures every client-authenticated endpoint shares;
	// body is a request that would otherwise be valid for that endpoint.
	clientAuth := func(body string) []badCase {
		return []badCase{
			{name: "wrong method GET", method: http.MethodGet, status: 405, error: "invalid_request", allow: "POST"},
			{name: "wrong method PUT", method: http.MethodPut, body: body + creds, status: 405, error: "invalid_request", allow: "POST"},
			{name: "wrong method DELETE", method: http.MethodDelete, status: 405, error: "invalid_request", allow: "POST"},
			{name: "wrong method PATCH", method: http.MethodPatch, body: body + creds, status: 405, error: "invalid_request", allow: "POST"},
			{name: "no content type", ct: "-", body: body + creds, status: 400, error: "invalid_request"},
			{name: "JSON content type", ct: "application/json", body: `{"client_id":"` + c.id + `"}`, status: 400, error: "invalid_request"},
			{name: "text/plain", ct: "text/plain", body: body + creds, status: 400, error: "invalid_request"},
			{name: "multipart", ct: "multipart/form-data; boundary=x", body: "--x\r\n\r\n--x--", status: 400, error: "invalid_request"},
			{name: "unparsable content type", ct: ";;;=", body: body + creds, status: 400, error: "invalid_request"},
			{name: "malformed escape", body: body + creds + "&x=%zz", status: 400, error: "invalid_request"},
			{name: "semicolon separator", body: body + ";client_id=" + c.id, status: 400, error: "invalid_request"},
			{name: "oversized body", body: oversized + creds, status: 400, error: "invalid_request"},
			{name: "oversized chunked body", body: oversized + creds, chunked: true, status: 400, error: "invalid_request"},
			{name: "repeated client_id", body: body + creds + "&client_id=" + c.id, status: 400, error: "invalid_request"},
			{name: "no client", body: body, status: 401, error: "invalid_client"},
			{name: "unknown client", body: body + "&client_id=000000000000000000000000&client_secret=x", status: 401, error: "invalid_client"},
			// Refused at the edge (internal/platform/edge): no backend can store it.
			{name: "client_id with NUL", body: body + "&client_id=%00&client_secret=x", status: 400, error: "invalid_request"},
			{name: "long client_id", body: body + "&client_id=" + long, status: 401, error: "invalid_client"},
			{name: "wrong secret", body: body + "&client_id=" + c.id + "&client_secret=wrong", status: 401, error: "invalid_client"},
			{name: "no secret", body: body + "&client_id=" + c.id, status: 401, error: "invalid_client"},
			{name: "Basic not base64", body: body, header: map[string]string{"Authorization": "Basic !!!"}, status: 401, error: "invalid_client", challenge: "Basic"},
			{name: "Basic without colon", body: body, header: basicHeader(c.id), status: 401, error: "invalid_client", challenge: "Basic"},
			{name: "Basic empty id", body: body, header: basicHeader(":" + c.secret), status: 401, error: "invalid_client", challenge: "Basic"},
			{name: "Basic empty", body: body, header: map[string]string{"Authorization": "Basic"}, status: 401, error: "invalid_client", challenge: "Basic"},
			{name: "Basic bad percent-escape", body: body, header: basicHeader("%zz:%zz"), status: 401, error: "invalid_client", challenge: "Basic"},
			{name: "Basic wrong secret", body: body, header: basicHeader(c.id + ":wrong"), status: 401, error: "invalid_client", challenge: "Basic"},
			{name: "Basic long id", body: body, header: basicHeader(long + ":x"), status: 401, error: "invalid_client", challenge: "Basic"},
			{name: "Basic and another client in the body", body: body + "&client_id=" + m2m.id, header: basicHeader(c.id + ":" + c.secret), status: 401, error: "invalid_client", challenge: "Basic"},
			{name: "Bearer instead of client credentials", body: body, header: map[string]string{"Authorization": "Bearer " + access}, status: 401, error: "invalid_client"},
			{name: "unknown Authorization scheme", body: body, header: map[string]string{"Authorization": "Digest username=x"}, status: 401, error: "invalid_client"},
		}
	}

	token := append(clientAuth("grant_type=refresh_token&refresh_token="+access),
		badCase{name: "empty body", status: 400, error: "invalid_request"},
		badCase{name: "no grant_type", body: "code=abc" + creds, status: 400, error: "invalid_request"},
		badCase{name: "empty grant_type", body: "grant_type=" + creds, status: 400, error: "invalid_request"},
		badCase{name: "repeated grant_type", body: "grant_type=authorization_code&grant_type=refresh_token" + creds, status: 400, error: "invalid_request"},
		badCase{name: "unknown grant_type", body: "grant_type=password&username=a&password=b" + creds, status: 400, error: "unsupported_grant_type"},
		badCase{name: "implicit as grant_type", body: "grant_type=implicit" + creds, status: 400, error: "unsupported_grant_type"},
		badCase{name: "long grant_type", body: "grant_type=" + long + creds, status: 400, error: "unsupported_grant_type"},
		badCase{name: "invalid UTF-8 grant_type", body: "grant_type=%ff%fe" + creds, status: 400, error: "invalid_request"},
		badCase{name: "repeated code", body: "grant_type=authorization_code&code=a&code=b&redirect_uri=" + url.QueryEscape(callback) + creds, status: 400, error: "invalid_request"},
		badCase{name: "no code", body: "grant_type=authorization_code&redirect_uri=" + url.QueryEscape(callback) + creds, status: 400, error: "invalid_request"},
		badCase{name: "unknown code", body: "grant_type=authorization_code&code=0000000000000000000000000000000000000000&redirect_uri=" + url.QueryEscape(callback) + creds, status: 400, error: "invalid_grant"},
		badCase{name: "code with NUL", body: "grant_type=authorization_code&code=%00&redirect_uri=x" + creds, status: 400, error: "invalid_request"},
		badCase{name: "malformed code_verifier", body: "grant_type=authorization_code&code=abc&redirect_uri=x&code_verifier=short" + creds, status: 400, error: "invalid_request"},
		badCase{name: "public client, no code", body: "grant_type=authorization_code&client_id=" + public.id, status: 400, error: "invalid_request"},
		badCase{name: "no refresh_token", body: "grant_type=refresh_token" + creds, status: 400, error: "invalid_request"},
		badCase{name: "unknown refresh_token", body: "grant_type=refresh_token&refresh_token=abc" + creds, status: 400, error: "invalid_grant"},
		badCase{name: "access token as refresh_token", body: "grant_type=refresh_token&refresh_token=" + access + creds, status: 400, error: "invalid_grant"},
		badCase{name: "client_credentials not enabled", body: "grant_type=client_credentials" + creds, status: 400, error: "unauthorized_client"},
		badCase{name: "client_credentials bad scope", body: "grant_type=client_credentials&scope=%22x%22&client_id=" + m2m.id + "&client_secret=" + m2m.secret, status: 400, error: "invalid_scope"},
		badCase{name: "client_credentials long scope", body: "grant_type=client_credentials&scope=" + long + "&client_id=" + m2m.id + "&client_secret=" + m2m.secret, status: 400, error: "invalid_scope"},
		badCase{name: "authorization_code not enabled", body: "grant_type=authorization_code&code=a&redirect_uri=x&client_id=" + m2m.id + "&client_secret=" + m2m.secret, status: 400, error: "unauthorized_client"},
	)
	tokenLookup := func() []badCase {
		return append(clientAuth("token="+access),
			badCase{name: "empty body", status: 401, error: "invalid_client"},
			badCase{name: "no token", body: strings.TrimPrefix(creds, "&"), status: 400, error: "invalid_request"},
			badCase{name: "empty token", body: "token=" + creds, status: 400, error: "invalid_request"},
			badCase{name: "repeated token", body: "token=a&token=b" + creds, status: 400, error: "invalid_request"},
			badCase{name: "repeated token_type_hint", body: "token=a&token_type_hint=x&token_type_hint=y" + creds, status: 400, error: "invalid_request"},
		)
	}
	// Revocation also reads JSON bodies (GenAuth's mobile SDKs send them):
	// there a JSON body without the secret fails client authentication.
	revocation := tokenLookup()
	for i := range revocation {
		if revocation[i].name == "JSON content type" {
			revocation[i].status, revocation[i].error = 401, "invalid_client"
		}
	}
	jsonCreds := `"client_id":"` + c.id + `","client_secret":"` + c.secret + `"`
	for _, bc := range []struct{ name, body string }{
		{"JSON number member", `{` + jsonCreds + `,"token":1}`},
		{"JSON object member", `{` + jsonCreds + `,"token":{"a":"b"}}`},
		{"JSON repeated member", `{` + jsonCreds + `,"token":"a","token":"b"}`},
		{"JSON array", `["token"]`},
		{"JSON trailing data", `{` + jsonCreds + `,"token":"a"} {}`},
		{"JSON malformed", `{` + jsonCreds + `,"token":`},
		{"JSON without token", `{` + jsonCreds + `,"token":null}`},
	} {
		revocation = append(revocation, badCase{name: bc.name, ct: "application/json", body: bc.body, status: 400, error: "invalid_request"})
	}
	revocation = append(revocation, badCase{name: "JSON wrong secret", ct: "application/json",
		body: `{"client_id":"` + c.id + `","client_secret":"wrong","token":"a"}`, status: 401, error: "invalid_client"})
	bearer := map[string]string{"Authorization": "Bearer " + access}
	userinfo := []badCase{
		{name: "wrong method PUT", method: http.MethodPut, header: bearer, status: 405, error: "invalid_request", allow: "GET, POST"},
		{name: "wrong method DELETE", method: http.MethodDelete, header: bearer, status: 405, error: "invalid_request", allow: "GET, POST"},
		{name: "wrong method PATCH", method: http.MethodPatch, header: bearer, status: 405, error: "invalid_request", allow: "GET, POST"},
		{name: "no token", method: http.MethodGet, status: 401, error: "invalid_token", challenge: "Bearer"},
		{name: "POST no token", status: 401, error: "invalid_token", challenge: "Bearer"},
		{name: "unknown token", method: http.MethodGet, header: map[string]string{"Authorization": "Bearer 0000000000000000000000000000000000000000"}, status: 401, error: "invalid_token", challenge: "Bearer"},
		{name: "unknown token in query", method: http.MethodGet, query: "access_token=abc", status: 401, error: "invalid_token", challenge: "Bearer"},
		{name: "empty token in query", method: http.MethodGet, query: "access_token=", status: 401, error: "invalid_token", challenge: "Bearer"},
		{name: "Bearer without token", method: http.MethodGet, header: map[string]string{"Authorization": "Bearer"}, status: 401, error: "invalid_token", challenge: "Bearer"},
		{name: "Bearer with blank token", method: http.MethodGet, header: map[string]string{"Authorization": "Bearer    "}, status: 401, error: "invalid_token", challenge: "Bearer"},
		{name: "Basic header", method: http.MethodGet, header: basicHeader(c.id + ":" + c.secret), status: 401, error: "invalid_token", challenge: "Bearer"},
		{name: "garbage header", method: http.MethodGet, header: map[string]string{"Authorization": "garbage"}, status: 401, error: "invalid_token", challenge: "Bearer"},
		{name: "token with NUL", method: http.MethodGet, query: "access_token=%00", status: 400, error: "invalid_request"},
		{name: "long token", method: http.MethodGet, query: "access_token=" + long, status: 401, error: "invalid_token", challenge: "Bearer"},
		{name: "header and query", method: http.MethodGet, query: "access_token=" + access, header: bearer, status: 400, error: "invalid_request"},
		{name: "header and form", body: "access_token=" + access, header: bearer, status: 400, error: "invalid_request"},
		{name: "query and form", query: "access_token=" + access, body: "access_token=" + access, status: 400, error: "invalid_request"},
		{name: "repeated access_token in query", method: http.MethodGet, query: "access_token=" + access + "&access_token=" + access, status: 400, error: "invalid_request"},
		{name: "repeated access_token in form", body: "access_token=" + access + "&access_token=" + access, status: 400, error: "invalid_request"},
		{name: "malformed query", method: http.MethodGet, query: "access_token=%zz", status: 400, error: "invalid_request"},
		{name: "malformed form", body: "access_token=%zz", status: 400, error: "invalid_request"},
		{name: "JSON body", ct: "application/json", body: `{"access_token":"` + access + `"}`, status: 400, error: "invalid_request"},
		{name: "body without content type", ct: "-", body: "access_token=" + access, status: 400, error: "invalid_request"},
		{name: "oversized form", body: oversized, header: bearer, status: 400, error: "invalid_request"},
		{name: "oversized chunked body without content type", ct: "-", body: oversized, chunked: true, header: bearer, status: 400, error: "invalid_request"},
	}

	endpoints := []struct {
		path  string
		cases []badCase
	}{
		{"/token", token},
		{"/token/introspection", tokenLookup()},
		{"/token/revocation", revocation},
		{"/me", userinfo},
	}
	for _, prefix := range prefixes {
		for _, ep := range endpoints {
			for _, tc := range ep.cases {
				t.Run(prefix+ep.path+"/"+tc.name, func(t *testing.T) {
					t.Parallel()
					r := sendBad(t, e.url(prefix, ep.path), tc)
					wantError(t, r, tc.status, tc.error)
					if len(r.body) > 300 {
						t.Errorf("error body is %d bytes; it should not echo the request: %.300s", len(r.body), r.body)
					}
					if tc.allow != "" && r.header.Get("Allow") != tc.allow {
						t.Errorf("Allow = %q, want %q", r.header.Get("Allow"), tc.allow)
					}
					if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, tc.challenge) || (tc.challenge == "" && got != "") {
						t.Errorf("WWW-Authenticate = %q, want scheme %q", got, tc.challenge)
					}
				})
			}
		}
	}

	// HEAD cannot carry a body; it still gets 405 with Allow.
	for _, prefix := range prefixes {
		for _, ep := range endpoints {
			r := sendBad(t, e.url(prefix, ep.path), badCase{method: http.MethodHead})
			if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") == "" {
				t.Errorf("HEAD %s%s: status %d, Allow %q; want 405 with Allow", prefix, ep.path, r.status, r.header.Get("Allow"))
			}
		}
	}
}

// sendBad sends tc to target.
func sendBad(t *testing.T, target string, tc badCase) *response {
	t.Helper()
	method := tc.method
	if method == "" {
		method = http.MethodPost
	}
	if tc.query != "" {
		target += "?" + tc.query
	}
	var body io.Reader
	if tc.body != "" {
		body = strings.NewReader(tc.body)
		if tc.chunked {
			body = io.MultiReader(body) // hides the length, so the client sends it chunked
		}
	}
	req, err := http.NewRequestWithContext(t.Context(), method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case tc.ct == "-":
	case tc.ct != "":
		req.Header.Set("Content-Type", tc.ct)
	case tc.body != "":
		req.Header.Set("Content-Type", formType)
	}
	for k, v := range tc.header {
		req.Header[k] = []string{v} // as sent, even when not canonical
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}
}

// TestBadAuthorizeInput: the authorize endpoint answers bad requests that
// cannot be trusted to redirect with an HTML page (or 405 JSON for a wrong
// method), never a redirect, a 500 or an internal detail.
func TestBadAuthorizeInput(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.newApp(t, apps.CreateParams{})
	good := url.Values{"client_id": {c.id}, "redirect_uri": {callback}, "response_type": {"code"}, "state": {"s"}}.Encode()
	cases := []badCase{
		{name: "malformed query", method: http.MethodGet, query: good + "&x=%zz", status: 400},
		{name: "semicolon in query", method: http.MethodGet, query: good + ";x=1", status: 400},
		{name: "repeated client_id", method: http.MethodGet, query: good + "&client_id=" + c.id, status: 400},
		{name: "repeated state", method: http.MethodGet, query: good + "&state=t", status: 400},
		{name: "repeated redirect_uri", method: http.MethodGet, query: good + "&redirect_uri=" + url.QueryEscape(callback), status: 400},
		{name: "long client_id", method: http.MethodGet, query: "client_id=" + strings.Repeat("x", 5000) + "&redirect_uri=" + url.QueryEscape(callback), status: 400},
		{name: "client_id with NUL", method: http.MethodGet, query: "client_id=%00&redirect_uri=" + url.QueryEscape(callback), status: 400},
		{name: "empty query", method: http.MethodGet, status: 400},
		{name: "POST oversized", body: good + "&pad=" + strings.Repeat("a", 64<<10), status: 400},
		{name: "POST JSON", ct: "application/json", body: `{"client_id":"` + c.id + `"}`, status: 400},
		{name: "POST malformed", body: good + "&%zz", status: 400},
		{name: "POST repeated client_id", body: good + "&client_id=x", status: 400},
	}
	for _, prefix := range prefixes {
		for _, tc := range cases {
			r := sendBad(t, e.url(prefix, "/auth"), tc)
			if r.status != tc.status || r.header.Get("Location") != "" {
				t.Errorf("%s %s: status %d, Location %q; want %d and no redirect", prefix, tc.name, r.status, r.header.Get("Location"), tc.status)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s %s: Content-Type %q, want the HTML error page", prefix, tc.name, ct)
			}
			lower := strings.ToLower(string(r.body))
			for _, w := range leaks {
				if strings.Contains(lower, w) {
					t.Errorf("%s %s: page mentions %q", prefix, tc.name, w)
				}
			}
		}
		for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
			r := sendBad(t, e.url(prefix, "/auth"), badCase{method: m, query: good})
			wantError(t, r, http.StatusMethodNotAllowed, "invalid_request")
			if r.header.Get("Allow") != "GET, POST" || r.header.Get("Location") != "" {
				t.Errorf("%s %s: Allow %q Location %q", prefix, m, r.header.Get("Allow"), r.header.Get("Location"))
			}
		}
	}

	// A browser never leaves for an unregistered URI, signed in or not.
	browser := testserver.Browser(t)
	e.srv.Authorize(t, browser, e.config(c, "oauth", 0).AuthCodeURL("s"), userName, userPassword)
	for _, prefix := range prefixes {
		resp, err := browser.Get(e.url(prefix, "/auth?") + url.Values{
			"client_id": {c.id}, "redirect_uri": {"https://evil.example/cb"}, "response_type": {"code"}, "prompt": {"none"},
		}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Location") != "" {
			t.Errorf("%s: signed-in browser redirected to %q", prefix, resp.Header.Get("Location"))
		}
	}
}
