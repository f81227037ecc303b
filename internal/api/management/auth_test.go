package management_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSignature checks the HMAC scheme with signatures computed in the test
// from the contract: awkward values sign and verify, and every failure has
// its apiCode.
func TestSignature(t *testing.T) {
	e := start(t, t0)
	var ada user
	ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "ada"), ps("password", "correct-horse")), &ada)
	now := e.clock.Now()
	good := []struct {
		name   string
		opts   signOpts
		method string
		call   string
		params []param
	}{
		{"GET scalar", signOpts{}, http.MethodGet, "get-user", []param{ps("userId", ada.UserID)}},
		{"GET array as k[]", signOpts{}, http.MethodGet, "get-user-batch", []param{p("userIds", `["`+ada.UserID+`","x<&>y","张"]`)}},
		{"GET no parameters", signOpts{}, http.MethodGet, "list-applications", nil},
		{"GET epoch ms date", signOpts{date: strconv.FormatInt(now.UnixMilli(), 10)}, http.MethodGet, "get-user",
			[]param{ps("userId", ada.UserID)}},
		{"GET GenAuth", signOpts{prefix: "GenAuth"}, http.MethodGet, "list-users", []param{ps("page", "1"), ps("status", "false")}},
		{"POST non-ASCII, <&>, nested, null, large number, array", signOpts{}, http.MethodPost, "create-user", []param{
			ps("username", "zhang-san"), ps("name", "张三 <&> \"q\""), ps("password", "pa&ss<>word"),
			p("customData", `{"nested":{"deep":[1,{"x":"<&>"}]},"n":12345678901234567890}`),
			p("phone", "null"), p("big", "1.7e+308"), p("tags", `["a","b"]`), p("emailVerified", "false")}},
		{"POST empty body", signOpts{}, http.MethodPost, "list-users", nil},
		{"POST skew just inside", signOpts{date: now.Add(-14 * time.Minute).Format(http.TimeFormat)}, http.MethodPost,
			"is-user-exists", []param{ps("username", "ada")}},
		{"extra signed header", signOpts{extraHead: map[string]string{"x-authing-app-id": " spaced "}}, http.MethodGet,
			"get-user", []param{ps("userId", ada.UserID)}},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			ok(t, e.send(t, tt.method, tt.call, tt.params, e.signScheme(tt.opts)), nil)
		})
	}

	get := []param{ps("userId", ada.UserID)}
	bad := []struct {
		name    string
		opts    signOpts
		apiCode int
	}{
		{"wrong secret", signOpts{secret: "0123456789abcdef0123456789abcdef"}, 1300},
		{"wrong access key id", signOpts{ak: "000000000000000000000000"}, 1300},
		{"tampered parameter", signOpts{tamper: func(r *http.Request) { r.URL.RawQuery = "userId=someone-else" }}, 1300},
		{"tampered signed header", signOpts{tamper: func(r *http.Request) { r.Header.Set("x-authing-request-from", "x") }}, 1300},
		{"added signed header", signOpts{tamper: func(r *http.Request) { r.Header.Set("x-authing-lang", "en") }}, 1300},
		{"garbage signature", signOpts{tamper: func(r *http.Request) { r.Header.Set("Authorization", "authing nocolon") }}, 1300},
		{"missing date", signOpts{date: "-"}, 1304},
		{"unparsable date", signOpts{date: "yesterday"}, 1303},
		{"skewed date", signOpts{date: now.Add(-16 * time.Minute).Format(http.TimeFormat)}, 1305},
		{"future date", signOpts{date: strconv.FormatInt(now.Add(16*time.Minute).UnixMilli(), 10)}, 1305},
		{"missing nonce", signOpts{nonce: "-"}, 1306},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			failed(t, e.send(t, http.MethodGet, "get-user", get, e.signScheme(tt.opts)), 401, tt.apiCode, "")
		})
	}

	t.Run("tampered body", func(t *testing.T) {
		sign := e.signScheme(signOpts{})
		env := e.send(t, http.MethodPost, "is-user-exists", []param{ps("username", "ada")}, func(r *http.Request, ps []param) {
			sign(r, []param{p("username", `"eve"`)})
		})
		failed(t, env, 401, 1300, "")
	})

	t.Run("replayed nonce", func(t *testing.T) {
		opts := signOpts{nonce: "nonce-1"}
		ok(t, e.send(t, http.MethodGet, "get-user", get, e.signScheme(opts)), nil)
		failed(t, e.send(t, http.MethodGet, "get-user", get, e.signScheme(opts)), 401, 1306, "replayed")
		// After the date window, the nonce is forgotten; a fresh date makes it usable again.
		e.clock.Advance(31 * time.Minute)
		ok(t, e.send(t, http.MethodGet, "get-user", get, e.signScheme(opts)), nil)
	})

	t.Run("rotated secret", func(t *testing.T) {
		if _, err := e.keys.Rotate(t.Context()); err != nil {
			t.Fatal(err)
		}
		failed(t, e.send(t, http.MethodGet, "get-user", get, e.signScheme(signOpts{})), 401, 1300, "")
		creds, err := e.keys.Load(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		e.creds = creds
		ok(t, e.send(t, http.MethodGet, "get-user", get, e.signScheme(signOpts{})), nil)
	})
}

// TestManagementToken checks the token call and the token's life.
func TestManagementToken(t *testing.T) {
	e := start(t, t0)
	env := e.send(t, http.MethodPost, "get-management-token", []param{ps("accessKeyId", e.creds.ID),
		ps("accessKeySecret", e.creds.Secret)}, nil)
	var data struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	ok(t, env, &data)
	if data.ExpiresIn != 7200 {
		t.Errorf("expires_in = %d", data.ExpiresIn)
	}
	parts := strings.Split(data.AccessToken, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", data.AccessToken)
	}
	// The Python SDK decodes the payload with standard base64 (padded).
	payload := parts[1] + strings.Repeat("=", (4-len(parts[1])%4)%4)
	raw, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		t.Fatalf("payload is not standard base64: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	if claims["scoped_userpool_id"] != e.creds.ID || claims["sub"] != e.creds.ID ||
		claims["exp"] != float64(t0.Add(2*time.Hour).Unix()) {
		t.Errorf("claims = %v", claims)
	}
	for _, c := range string(raw) {
		if c > 0x7e || strings.ContainsRune(">?~", c) {
			t.Errorf("payload %s holds %q", raw, c)
		}
	}

	bearer := func(v string) scheme { return func(r *http.Request, _ []param) { r.Header.Set("Authorization", v) } }
	ok(t, e.send(t, http.MethodGet, "list-applications", nil, bearer("Bearer "+data.AccessToken)), nil)
	ok(t, e.send(t, http.MethodGet, "list-applications", nil, bearer(data.AccessToken)), nil)
	ok(t, e.send(t, http.MethodGet, "list-applications", nil, bearer("bearer  "+data.AccessToken)), nil)

	refused := []struct {
		name, auth string
	}{
		{"none", ""},
		{"garbage", "Bearer not-a-jwt"},
		{"tampered payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":9999999999,"scoped_userpool_id":"`+e.creds.ID+`","sub":"x"}`)) + "." + parts[2]},
		{"alg none", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."},
		{"Basic", "Basic " + base64.StdEncoding.EncodeToString([]byte(e.creds.ID+":"+e.creds.Secret))},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			failed(t, e.send(t, http.MethodGet, "list-applications", nil, bearer(tt.auth)), 401, 0, "")
		})
	}

	t.Run("wrong key", func(t *testing.T) {
		for _, ps := range [][]param{
			{ps("accessKeyId", e.creds.ID), ps("accessKeySecret", "wrong")},
			{ps("accessKeyId", "wrong"), ps("accessKeySecret", e.creds.Secret)},
			{ps("accessKeyId", e.creds.ID)},
		} {
			failed(t, e.send(t, http.MethodPost, "get-management-token", ps, nil), 401, 2333, "")
		}
		failed(t, e.send(t, http.MethodPost, "get-management-token", []param{p("accessKeyId", "1")}, nil), 400, 0,
			"accessKeyId must be a string")
	})

	t.Run("expired", func(t *testing.T) {
		e.clock.Advance(2*time.Hour - time.Second)
		ok(t, e.send(t, http.MethodGet, "list-applications", nil, bearer(data.AccessToken)), nil)
		e.clock.Advance(time.Second)
		failed(t, e.send(t, http.MethodGet, "list-applications", nil, bearer(data.AccessToken)), 401, 0, "expired")
	})

	t.Run("rotation ends tokens", func(t *testing.T) {
		e.clock.Advance(-2 * time.Hour)
		ok(t, e.send(t, http.MethodGet, "list-applications", nil, bearer(data.AccessToken)), nil)
		if _, err := e.keys.Rotate(t.Context()); err != nil {
			t.Fatal(err)
		}
		failed(t, e.send(t, http.MethodGet, "list-applications", nil, bearer(data.AccessToken)), 401, 0, "")
	})
}

// TestEveryEndpointNeedsCredentials calls each route without credentials.
func TestEveryEndpointNeedsCredentials(t *testing.T) {
	e := start(t, t0)
	for _, rt := range routesInOpenAPI(t) {
		if rt.name == "get-management-token" {
			continue
		}
		t.Run(rt.method+" "+rt.name, func(t *testing.T) {
			failed(t, e.send(t, rt.method, rt.name, nil, nil), 401, 0, "authentication required")
		})
	}
}

// TestBadBodies sends bodies no SDK would.
func TestBadBodies(t *testing.T) {
	e := start(t, t0)
	tests := []struct {
		body, want string
	}{
		{`{`, "malformed JSON"},
		{`[1,2]`, "must be a JSON object"},
		{`null`, "must be a JSON object"},
		{`"text"`, "must be a JSON object"},
		{`{"userId": 42}`, "userId must be a string"},
		{`{"userId": "x", "options": []}`, "options must be an object"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/api/v3/update-user", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			e.auth(req, nil)
			failed(t, e.do(t, req), 400, 0, tt.want)
		})
	}
	t.Run("too large", func(t *testing.T) {
		big := `{"keywords":"` + strings.Repeat("a", 1<<20) + `"}`
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/api/v3/list-users", strings.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		e.auth(req, nil)
		failed(t, e.do(t, req), 400, 0, "larger than")
	})
	t.Run("unknown endpoint", func(t *testing.T) {
		failed(t, e.call(t, http.MethodGet, "no-such-thing"), 404, 0, "no such endpoint")
	})
	t.Run("wrong method", func(t *testing.T) {
		failed(t, e.call(t, http.MethodGet, "create-user"), 405, 0, "use POST")
	})
}

// TestQueryTolerance sends arrays, booleans and numbers in every form the
// SDKs use.
func TestQueryTolerance(t *testing.T) {
	e := start(t, t0)
	var a, b user
	ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "ada"), ps("password", "correct-horse")), &a)
	ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "bob"), ps("password", "correct-horse")), &b)
	for _, q := range []string{
		"userIds[]=" + a.UserID + "&userIds[]=" + b.UserID,
		"userIds=" + a.UserID + "&userIds=" + b.UserID,
		"userIds=[" + a.UserID + "%20" + b.UserID + "]",
		"userIds=[" + a.UserID + ",%20" + b.UserID + "]",
		"userIds=" + a.UserID + "," + b.UserID,
		`userIds=["` + a.UserID + `","` + b.UserID + `"]`,
	} {
		t.Run(q, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.url+"/api/v3/get-user-batch?"+q, nil)
			if err != nil {
				t.Fatal(err)
			}
			e.auth(req, nil)
			var list []user
			ok(t, e.do(t, req), &list)
			if ids(list) != "ada,bob" {
				t.Fatalf("got %s", ids(list))
			}
		})
	}
	for _, q := range []string{"page=1.0e+0&limit=1", "page=1&limit=1&status=False", "limit=1&updatedAtStart=false", "limit=1&withCustomData=True"} {
		t.Run(q, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.url+"/api/v3/list-users?"+q, nil)
			if err != nil {
				t.Fatal(err)
			}
			e.auth(req, nil)
			var pg userPage
			ok(t, e.do(t, req), &pg)
			if pg.TotalCount != 2 || len(pg.List) != 1 {
				t.Fatalf("got %d, %d", pg.TotalCount, len(pg.List))
			}
		})
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.url+"/api/v3/list-users?limit=ten", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.auth(req, nil)
	failed(t, e.do(t, req), 400, 0, "limit must be a whole number")
}
