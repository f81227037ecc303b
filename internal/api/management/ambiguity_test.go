package management_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/platform/edge"
)

// TestSignatureAmbiguity: GenAuth's SDKs sign k1=v1&k2=v2 without escaping
// anything, so parameters can be merged or split without changing the
// signed text (issue 13, item 12). A request whose parameters the signed
// text does not spell unambiguously is refused, after its nonce is used up;
// what the SDKs send keeps working.
func TestSignatureAmbiguity(t *testing.T) {
	e := start(t, t0)
	e.auth = e.signScheme(signOpts{})
	var ada, bob user
	ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "ada"), ps("password", "ada-password"), ps("nickname", "Ada")), &ada)
	ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "bob"), ps("password", "bob-password")), &bob)
	stored := func() string {
		u, err := e.st.GetUser(t.Context(), ada.UserID)
		if err != nil {
			t.Fatal(err)
		}
		return u.Nickname + " " + u.PasswordHash
	}
	before := stored()
	// signedAs sends params signed as if they were other.
	signedAs := func(nonce string, other ...param) scheme {
		sign := e.signScheme(signOpts{nonce: nonce})
		return func(r *http.Request, _ []param) { sign(r, other) }
	}

	t.Run("a value split into two parameters", func(t *testing.T) {
		// The application signs a nickname a user typed; someone who reads
		// the request on its way sends the other reading of the same text.
		typed := []param{ps("userId", ada.UserID), ps("nickname", "n&password=attacker-password")}
		split := []param{ps("userId", ada.UserID), ps("nickname", "n"), ps("password", "attacker-password")}
		failed(t, e.send(t, http.MethodPost, "update-user", typed, signedAs("split-1", typed...)), 400, 0, "unambiguously")
		failed(t, e.send(t, http.MethodPost, "update-user", split, signedAs("split-1", typed...)), 401, 1306, "replayed")
		if got := stored(); got != before {
			t.Errorf("ada changed: %q, was %q", got, before)
		}
	})
	t.Run("two parameters merged into one value", func(t *testing.T) {
		signed := []param{ps("userId", ada.UserID), ps("nickname", "n"), ps("password", "attacker-password")}
		merged := []param{ps("userId", ada.UserID), ps("nickname", "n&password=attacker-password")}
		failed(t, e.send(t, http.MethodPost, "update-user", merged, signedAs("merge-1", signed...)), 400, 0, "unambiguously")
		if got := stored(); got != before {
			t.Errorf("ada changed: %q, was %q", got, before)
		}
	})
	t.Run("a parameter name holding the separators", func(t *testing.T) {
		signed := []param{ps("nickname", "n"), ps("password", "attacker-password"), ps("userId", ada.UserID)}
		renamed := []param{ps("nickname=n&password", "attacker-password"), ps("userId", ada.UserID)}
		failed(t, e.send(t, http.MethodPost, "update-user", renamed, signedAs("name-1", signed...)), 400, 0, "unambiguously")
	})
	t.Run("a list given as name[] and name", func(t *testing.T) {
		// Signed for ada alone; bob is added unsigned under the other
		// spelling. Which of the two the signature used to see depended on
		// map order, so try several times.
		for i := range 20 {
			sign := e.signScheme(signOpts{tamper: func(r *http.Request) { r.URL.RawQuery += "&userIds=" + bob.UserID }})
			env := e.send(t, http.MethodGet, "get-user-batch", []param{p("userIds", `["`+ada.UserID+`"]`)}, sign)
			if env.StatusCode == http.StatusOK {
				t.Fatalf("attempt %d: accepted with an unsigned list: %s", i, env.raw)
			}
			failed(t, env, 400, 0, "both as userIds[] and userIds")
		}
	})
	t.Run("a JSON body repeating a key", func(t *testing.T) {
		body := `{"userId":"` + ada.UserID + `","nickname":"Eve","nickname":"Ada"}`
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/api/v3/update-user", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		e.signScheme(signOpts{})(req, []param{ps("userId", ada.UserID), ps("nickname", "Ada")})
		failed(t, e.do(t, req), 400, 0, `"nickname" more than once`)
		// Nested objects too, and with a management token.
		req, err = http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/api/v3/update-user",
			strings.NewReader(`{"userId":"`+ada.UserID+`","customData":{"a":[{"b":1,"b":2}]}}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		e.tokenScheme(t, true)(req, nil)
		failed(t, e.do(t, req), 400, 0, `"b" more than once`)
		if got := stored(); got != before {
			t.Errorf("ada changed: %q, was %q", got, before)
		}
	})
	t.Run("a URL with two query parameters: a management token sends it", func(t *testing.T) {
		var app application
		ok(t, e.call(t, http.MethodPost, "create-application", ps("appName", "Shop"),
			p("redirectUris", `["https://shop.example/cb"]`)), &app)
		uris := p("redirectUris", `["https://shop.example/cb?a=1&b=2"]`)
		failed(t, e.call(t, http.MethodPost, "update-application", ps("appId", app.AppID), uris), 400, 0, "management token")
		ok(t, e.send(t, http.MethodPost, "update-application", []param{ps("appId", app.AppID), uris}, e.tokenScheme(t, true)), nil)
	})
	t.Run("what SDKs sign keeps working", func(t *testing.T) {
		for _, v := range []string{"Tom & Jerry", "a&b", "a=b&c", "x<&>y", "&&", "=&", "100% & more"} {
			ok(t, e.call(t, http.MethodPost, "update-user", ps("userId", bob.UserID), ps("nickname", v)), nil)
		}
		ok(t, e.call(t, http.MethodGet, "get-user-batch", p("userIds", `["`+ada.UserID+`","`+bob.UserID+`"]`)), nil)
	})
}

// TestManagementNeedsHTTPS: management credentials (signatures, tokens and
// the access key itself) are refused over plain HTTP unless the request
// comes straight from this host; a trusted proxy's X-Forwarded-Proto: https
// counts as https.
func TestManagementNeedsHTTPS(t *testing.T) {
	e := start(t, t0)
	token := e.tokenScheme(t, true)
	proxies, err := edge.ParseProxies("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	behindProxy := edge.Wrap(e.handler, edge.Config{Logger: slog.New(slog.DiscardHandler), Proxies: proxies})
	type request struct {
		peer   string
		tls    bool
		header map[string]string
		scheme string // an absolute request target's
	}
	for _, tc := range []struct {
		name    string
		req     request
		handler http.Handler
		allowed bool
	}{
		{"loopback IPv4", request{peer: "127.0.0.1:5000"}, nil, true},
		{"loopback IPv6", request{peer: "[::1]:5000"}, nil, true},
		{"remote over TLS", request{peer: "203.0.113.9:5000", tls: true}, nil, true},
		{"remote over plain HTTP", request{peer: "203.0.113.9:5000"}, nil, false},
		{"remote claiming https in the request target", request{peer: "203.0.113.9:5000", scheme: "https"}, nil, false},
		{"remote claiming https in a header", request{peer: "203.0.113.9:5000",
			header: map[string]string{"X-Forwarded-Proto": "https"}}, nil, false},
		{"through a local proxy that is not trusted", request{peer: "127.0.0.1:5000",
			header: map[string]string{"X-Forwarded-For": "203.0.113.9"}}, nil, false},
		{"through a trusted proxy, https", request{peer: "127.0.0.1:5000",
			header: map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}}, behindProxy, true},
		{"through a trusted proxy, http", request{peer: "127.0.0.1:5000",
			header: map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http"}}, behindProxy, false},
	} {
		for _, cred := range []string{"signature", "token", "access key"} {
			t.Run(tc.name+"/"+cred, func(t *testing.T) {
				method, name, params := http.MethodGet, "list-applications", []param(nil)
				if cred == "access key" {
					method, name = http.MethodPost, "get-management-token"
					params = []param{ps("accessKeyId", e.creds.ID), ps("accessKeySecret", e.creds.Secret)}
				}
				var body io.Reader
				if method == http.MethodPost {
					b, _ := json.Marshal(map[string]string{"accessKeyId": e.creds.ID, "accessKeySecret": e.creds.Secret})
					body = bytes.NewReader(b)
				}
				r := httptest.NewRequest(method, "/api/v3/"+name, body)
				r.RemoteAddr = tc.req.peer
				if tc.req.tls {
					r.TLS = &tls.ConnectionState{}
				}
				r.URL.Scheme = tc.req.scheme
				for k, v := range tc.req.header {
					r.Header.Set(k, v)
				}
				switch cred {
				case "signature":
					e.signScheme(signOpts{})(r, params)
				case "token":
					token(r, params)
				}
				h := tc.handler
				if h == nil {
					h = e.handler
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				var env envelope
				if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
					t.Fatalf("not an envelope: %s", w.Body)
				}
				env.raw = w.Body.Bytes()
				if tc.allowed {
					ok(t, env, nil)
				} else {
					failed(t, env, 403, 0, "only over https")
				}
			})
		}
	}
}
