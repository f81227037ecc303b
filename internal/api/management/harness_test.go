package management_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	v3 "github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/api/management"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

var secretKey = bytes.Repeat([]byte{0x42}, secret.KeyLen)

// env is a running server with its management credentials.
type env struct {
	url   string
	st    *sqlite.Store
	clock *clock.Fake
	keys  *management.Keys
	creds *management.Credentials
	// auth signs or authorizes each call; set by the scheme under test.
	auth scheme
	// handler is the server's, for requests the network cannot make here
	// (from another address, over TLS).
	handler http.Handler
}

// start runs a server whose clock starts at now, with a fresh database.
func start(t *testing.T, now time.Time) *env {
	t.Helper()
	return startDelivering(t, now, nil)
}

// startDelivering is start with a server that can send the kinds of
// message delivers names (queued in the outbox; nothing drains it here).
func startDelivering(t *testing.T, now time.Time, delivers map[string]bool) *env {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	c := clock.NewFake(now)
	srv := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + srv.Listener.Addr().String()
	h, err := server.New(server.Config{PublicURL: publicURL, Store: st, SecretKey: secretKey, Now: c.Now, Rand: rand.Reader,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Delivers: delivers})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	sealer, err := secret.NewSealer(secretKey, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys := &management.Keys{Store: st, Sealer: sealer, Tokens: token.NewSource(rand.Reader), Now: c.Now}
	creds, err := keys.Load(t.Context())
	if err != nil {
		t.Fatalf("the server made no access key: %v", err)
	}
	e := &env{url: publicURL, st: st, clock: c, keys: keys, creds: creds, handler: h}
	e.auth = e.tokenScheme(t, true)
	return e
}

// envelope is a decoded management API response.
type envelope struct {
	StatusCode int             `json:"statusCode"`
	Message    string          `json:"message"`
	APICode    int             `json:"apiCode"`
	RequestID  string          `json:"requestId"`
	Data       json.RawMessage `json:"data"`
	raw        []byte
}

// param is one request parameter as an SDK holds it before sending: a key
// and a JSON value (for GET, a string or a list of strings).
type param struct {
	key  string
	json string
}

// scheme adds credentials to a request built from params.
type scheme func(r *http.Request, params []param)

// tokenScheme gets a management token and sends it with or without "Bearer ".
func (e *env) tokenScheme(t *testing.T, bearer bool) scheme {
	t.Helper()
	env := e.send(t, http.MethodPost, "get-management-token", []param{
		{"accessKeyId", quote(e.creds.ID)}, {"accessKeySecret", quote(e.creds.Secret)}}, nil)
	if env.StatusCode != 200 {
		t.Fatalf("get-management-token: %s", env.raw)
	}
	var data struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	mustUnmarshal(t, env.Data, &data)
	return func(r *http.Request, _ []param) {
		if bearer {
			r.Header.Set("Authorization", "Bearer "+data.AccessToken)
		} else {
			r.Header.Set("Authorization", data.AccessToken)
		}
		r.Header.Set("x-authing-userpool-id", e.creds.ID)
	}
}

// signOpts vary a signed request for the negative cases.
type signOpts struct {
	prefix    string // "authing" (default) or "GenAuth"
	secret    string // default the real secret
	ak        string // default the real id
	date      string // default now in RFC 1123; "-" leaves it out
	nonce     string // default random; "-" leaves it out
	extraHead map[string]string
	tamper    func(*http.Request) // after signing
}

// signScheme signs each request as the Node SDK does, computed here from
// the contract, independently of the server's code.
func (e *env) signScheme(o signOpts) scheme {
	return func(r *http.Request, params []param) {
		prefix, hdr := "authing", "x-authing-"
		if o.prefix == "GenAuth" {
			prefix, hdr = "GenAuth", "x-genauth-"
		}
		date := o.date
		if date == "" {
			date = e.clock.Now().UTC().Format(http.TimeFormat)
		}
		if date != "-" {
			r.Header.Set("date", date)
		}
		nonce := o.nonce
		if nonce == "" {
			nonce = rand.Text()
		}
		if nonce != "-" {
			r.Header.Set(hdr+"signature-nonce", nonce)
		}
		r.Header.Set(hdr+"userpool-id", e.creds.ID)
		r.Header.Set(hdr+"request-from", "node-sdk")
		for k, v := range o.extraHead {
			r.Header.Set(k, v)
		}
		var headers []string
		for name, vs := range r.Header {
			l := strings.ToLower(name)
			if l == "date" || strings.HasPrefix(l, hdr) {
				headers = append(headers, l+":"+strings.TrimSpace(vs[0])+"\n")
			}
		}
		sort.Strings(headers)
		var kv []string
		for _, p := range params {
			// A string signs as itself; anything else (null included) as its JSON text.
			var s string
			if strings.HasPrefix(p.json, `"`) && json.Unmarshal([]byte(p.json), &s) == nil {
				kv = append(kv, p.key+"="+s)
			} else {
				kv = append(kv, p.key+"="+p.json)
			}
		}
		sort.Strings(kv)
		resource := r.URL.Path
		if len(kv) > 0 {
			resource += "?" + strings.Join(kv, "&")
		}
		toSign := r.Method + "\n" + strings.Join(headers, "") + resource
		sk, ak := o.secret, o.ak
		if sk == "" {
			sk = e.creds.Secret
		}
		if ak == "" {
			ak = e.creds.ID
		}
		m := hmac.New(sha1.New, []byte(sk))
		m.Write([]byte(toSign))
		r.Header.Set("Authorization", prefix+" "+ak+":"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
		if o.tamper != nil {
			o.tamper(r)
		}
	}
}

// call sends an authenticated management call with e.auth.
func (e *env) call(t *testing.T, method, name string, params ...param) envelope {
	t.Helper()
	return e.send(t, method, name, params, e.auth)
}

// send builds the request as an SDK does: GET parameters in the query (a
// list as k[]=a&k[]=b), others as a compact JSON body in the given order.
func (e *env) send(t *testing.T, method, name string, params []param, auth scheme) envelope {
	t.Helper()
	var body io.Reader
	target := e.url + v3.Prefix + name
	if method == http.MethodGet {
		q := url.Values{}
		for _, p := range params {
			var list []string
			if json.Unmarshal([]byte(p.json), &list) == nil {
				q[p.key+"[]"] = list
				continue
			}
			var s string
			if json.Unmarshal([]byte(p.json), &s) != nil {
				s = p.json
			}
			q.Set(p.key, s)
		}
		if len(q) > 0 {
			target += "?" + q.Encode()
		}
	} else {
		var b strings.Builder
		b.WriteString("{")
		for i, p := range params {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(quote(p.key) + ":" + p.json)
		}
		b.WriteString("}")
		body = strings.NewReader(b.String())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != nil {
		auth(req, params)
	}
	return e.do(t, req)
}

func (e *env) do(t *testing.T, req *http.Request) envelope {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d, want 200 always: %s", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		t.Fatalf("%s %s: not an envelope: %v: %s", req.Method, req.URL.Path, err, raw)
	}
	if env.RequestID == "" {
		t.Errorf("%s %s: no requestId: %s", req.Method, req.URL.Path, raw)
	}
	env.raw = raw
	return env
}

// ok fails unless the call succeeded, and decodes its data into v (if not nil).
func ok(t *testing.T, env envelope, v any) {
	t.Helper()
	if env.StatusCode != 200 || env.Message != "" || env.APICode != 0 {
		t.Fatalf("call failed: %s", env.raw)
	}
	if v != nil {
		mustUnmarshal(t, env.Data, v)
	}
}

// failed fails unless the call failed with status and apiCode (0: none) and
// a message containing want.
func failed(t *testing.T, env envelope, status, apiCode int, want string) {
	t.Helper()
	if env.StatusCode != status || env.APICode != apiCode || !strings.Contains(env.Message, want) {
		t.Fatalf("got %s\nwant statusCode %d, apiCode %d, message containing %q", env.raw, status, apiCode, want)
	}
	if len(env.Data) > 0 {
		t.Errorf("a failure carries data: %s", env.raw)
	}
}

func mustUnmarshal(t *testing.T, raw []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
}

func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

func p(key, jsonValue string) param { return param{key, jsonValue} }

func ps(key, value string) param { return param{key, quote(value)} }

// t0 is the servers' start time.
var t0 = time.Date(2026, 3, 3, 6, 17, 14, 485_000_000, time.UTC)
