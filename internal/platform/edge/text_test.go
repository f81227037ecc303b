package edge

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCheckText: a request whose parameter (query, form, JSON, other body,
// Basic credentials) holds a NUL byte or invalid UTF-8 is refused before the
// handler runs; any other request reaches the handler with its body intact.
func TestCheckText(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	basic := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name, target, ct, body, auth string
		refused                      bool
	}{
		{"plain query", "/p?username=alice&x=%E5%BC%A0", "", "", "", false},
		{"query NUL", "/p?username=a%00b", "", "", "", true},
		{"query invalid UTF-8", "/p?client_id=%FF%FE", "", "", "", true},
		{"query overlong UTF-8", "/p?app_id=%C0%AF", "", "", "", true},
		{"query NUL in a name", "/p?a%00b=1", "", "", "", true},
		{"query raw invalid byte", "/p?x=\xff", "", "", "", true},
		{"query malformed escape, rest fine", "/p?x=%zz&y=1", "", "", "", false},
		{"query malformed escape beside NUL", "/p?x=%zz&y=%00", "", "", "", true},
		{"literal %00 text", "/p?x=%2500", "", "", "", false},
		{"form fine", "/p", form, "username=%E5%BC%A0&password=x", "", false},
		{"form NUL", "/p", form, "username=a%00b&password=x", "", true},
		{"form invalid UTF-8", "/p", form + "; charset=utf-8", "client_id=%FF", "", true},
		{"form raw invalid byte", "/p", form, "client_id=\xff", "", true},
		{"JSON fine", "/p", "application/json", `{"nickname":"张三 <&>","n":1,"a":["x",{"b":null}]}`, "", false},
		{"JSON escaped NUL", "/p", "application/json", `{"username":"a\u0000b"}`, "", true},
		{"JSON escaped NUL in a key", "/p", "application/json", `{"a\u0000":"b"}`, "", true},
		{"JSON escaped NUL, nested", "/p", "application/json", `{"x":[{"y":"\u0000"}]}`, "", true},
		{"JSON raw invalid UTF-8", "/p", "application/json", "{\"username\":\"\xff\"}", "", true},
		{"JSON without a content type", "/p", "", `{"username":"\u0000"}`, "", true},
		{"other body raw NUL", "/p", "text/plain", "a\x00b", "", true},
		{"other body text", "/p", "text/plain", "hello", "", false},
		{"Basic fine", "/p", "", "", basic("client:secret"), false},
		{"Basic NUL", "/p", "", "", basic("cli\x00ent:secret"), true},
		{"Basic form-encoded NUL", "/p", "", "", basic("client%00:secret"), true},
		{"Basic invalid UTF-8 secret", "/p", "", "", basic("client:\xff"), true},
		{"Bearer is not a parameter", "/p", "", "", "Bearer \xff", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reached bool
			var seenBody string
			h := CheckText(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = true
				b, _ := io.ReadAll(r.Body)
				seenBody = string(b)
			}), func(w http.ResponseWriter, r *http.Request, problem string) {
				if problem == "" || strings.ContainsAny(problem, "\x00\xff") {
					t.Errorf("problem %q: want a plain description", problem)
				}
				w.WriteHeader(http.StatusBadRequest)
			})
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			r := httptest.NewRequest(http.MethodPost, "/", body)
			r.URL.Path, r.URL.RawQuery, _ = strings.Cut(tc.target, "?")
			if tc.ct != "" {
				r.Header.Set("Content-Type", tc.ct)
			}
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if reached == tc.refused {
				t.Fatalf("handler reached %v, want %v (status %d)", reached, !tc.refused, w.Code)
			}
			if reached && seenBody != tc.body {
				t.Errorf("the handler read %q, want the whole body %q", seenBody, tc.body)
			}
		})
	}
}

// TestCheckTextLargeBody: a body over the limit is not read here but passed
// on whole, for the handler's own limit to refuse.
func TestCheckTextLargeBody(t *testing.T) {
	big := "x=" + strings.Repeat("a", MaxCheckedBody) + "%00"
	var got int
	h := CheckText(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = len(b)
	}), func(w http.ResponseWriter, r *http.Request, problem string) { t.Errorf("refused: %s", problem) })
	for _, length := range []int64{int64(len(big)), -1} { // declared, and chunked
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(big))
		r.ContentLength = length
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != len(big) {
			t.Errorf("Content-Length %d: the handler read %d bytes, want %d", length, got, len(big))
		}
	}
}

// TestRoutesNeedARefusal: registering without a way of refusing panics, so
// no route can skip the check.
func TestRoutesNeedARefusal(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a route without a refusal was registered")
		}
	}()
	NewRoutes(http.NewServeMux()).HandleFunc("GET /x", func(http.ResponseWriter, *http.Request) {})
}

// BenchmarkCheckText is the check on a typical token request (a refresh
// with client credentials in the form), against the same request without it:
// the cost every protocol request pays.
func BenchmarkCheckText(b *testing.B) {
	const body = "grant_type=refresh_token&refresh_token=6f1c2b9e0d7a4c5b8e3f1a2d4c6b8e0f&client_id=5f8d2c1a9b7e6d4c3b2a1f0e&client_secret=9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) })
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"without", next},
		{"with", CheckText(next, func(w http.ResponseWriter, r *http.Request, problem string) { b.Fatal(problem) })},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := httptest.NewRecorder()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/oidc/token", strings.NewReader(body))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				bc.h.ServeHTTP(w, r)
			}
		})
	}
}
