package edge

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestClientAddress(t *testing.T) {
	proxies, err := ParseProxies("10.0.0.0/8, 192.0.2.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		proto      string
		wantAddr   string
		wantHTTPS  bool
	}{
		{"direct client", "198.51.100.7:4000", nil, "", "198.51.100.7:4000", false},
		{"untrusted peer's headers ignored", "198.51.100.7:4000", []string{"203.0.113.5"}, "https", "198.51.100.7:4000", false},
		{"trusted proxy", "192.0.2.1:4000", []string{"203.0.113.5"}, "https", "203.0.113.5:0", true},
		{"forged left entries skipped", "192.0.2.1:4000", []string{"1.1.1.1, 203.0.113.5, 10.2.3.4"}, "", "203.0.113.5:0", false},
		{"several header lines", "[::1]:4000", []string{"1.1.1.1", "203.0.113.5, 10.2.3.4"}, "http", "203.0.113.5:0", false},
		{"only proxies", "192.0.2.1:4000", []string{"10.9.9.9, 10.2.3.4"}, "", "10.9.9.9:0", false},
		{"garbage stops the walk", "192.0.2.1:4000", []string{"203.0.113.5, nonsense"}, "", "192.0.2.1:4000", false},
		{"IPv6 with port", "192.0.2.1:4000", []string{"[2001:db8::7]:5555"}, "", "[2001:db8::7]:0", false},
		{"appended proto: the nearest counts", "192.0.2.1:4000", nil, "http, https", "192.0.2.1:4000", true},
		{"mapped IPv4 peer", "[::ffff:192.0.2.1]:4000", []string{"203.0.113.5"}, "", "203.0.113.5:0", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotAddr string
			var gotHTTPS bool
			h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotAddr, gotHTTPS = r.RemoteAddr, r.URL.Scheme == "https"
				if HTTPS(r) != gotHTTPS {
					t.Errorf("HTTPS(r) = %v, URL.Scheme %q", HTTPS(r), r.URL.Scheme)
				}
			}), Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Proxies: proxies})
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			for _, x := range tc.xff {
				r.Header.Add("X-Forwarded-For", x)
			}
			if tc.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if gotAddr != tc.wantAddr || gotHTTPS != tc.wantHTTPS {
				t.Errorf("RemoteAddr %q, https %v; want %q, %v", gotAddr, gotHTTPS, tc.wantAddr, tc.wantHTTPS)
			}
		})
	}
}

func TestParseProxiesRejects(t *testing.T) {
	for _, s := range []string{"10.0.0.0/33", "example.com", "10.0.0.1/8/2"} {
		if _, err := ParseProxies(s); err == nil {
			t.Errorf("ParseProxies(%q) accepted it", s)
		}
	}
}

// TestRequestID: an id comes from a trusted proxy only and only when plain;
// otherwise a fresh one is made. Either way the response carries it.
func TestRequestID(t *testing.T) {
	proxies, _ := ParseProxies("192.0.2.1")
	for _, tc := range []struct {
		name, peer, in string
		keep           bool
	}{
		{"from a trusted proxy", "192.0.2.1:1", "abc-123_x.y:z", true},
		{"from anyone else", "198.51.100.1:1", "abc-123", false},
		{"with a newline", "192.0.2.1:1", "abc\nforged=1", false},
		{"too long", "192.0.2.1:1", strings.Repeat("a", 129), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen string
			h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = RequestID(r.Context()) }),
				Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Proxies: proxies, Rand: bytes.NewReader(bytes.Repeat([]byte{7}, 12))})
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			r.Header.Set(RequestIDHeader, tc.in)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			want := "070707070707070707070707"
			if tc.keep {
				want = tc.in
			}
			if seen != want || w.Header().Get(RequestIDHeader) != want {
				t.Errorf("context id %q, header %q; want %q", seen, w.Header().Get(RequestIDHeader), want)
			}
		})
	}
}

type observed struct {
	route, method string
	code          int
	d             time.Duration
	inFlight      int
}

func (o *observed) RequestStarted() func() { o.inFlight++; return func() { o.inFlight-- } }
func (o *observed) ObserveRequest(route, method string, code int, d time.Duration) {
	o.route, o.method, o.code, o.d = route, method, code, d
}

// TestAccessLine: one line per request with the route pattern, status, size,
// duration and client, and neither the query string nor any header value.
func TestAccessLine(t *testing.T) {
	var buf bytes.Buffer
	logger, err := NewLogger(&buf, "json", "debug")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "inside")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "12345")
	})
	clock := []time.Time{time.Unix(100, 0), time.Unix(100, 250e6)}
	obs := &observed{}
	h := Wrap(mux, Config{Logger: logger, Metrics: obs, Now: func() time.Time { t := clock[0]; clock = clock[1:]; return t }})
	r := httptest.NewRequest(http.MethodPost, "/things/42?code=secret-code&access_token=secret-token", nil)
	r.RemoteAddr = "198.51.100.4:999"
	r.Header.Set("Authorization", "Bearer secret-bearer")
	r.Header.Set("Cookie", "genauth_session=secret-cookie")
	h.ServeHTTP(httptest.NewRecorder(), r)

	if strings.Contains(buf.String(), "secret") {
		t.Errorf("the log holds a query or header value:\n%s", buf.String())
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want the handler's and the access line:\n%s", len(lines), buf.String())
	}
	var inside, access map[string]any
	json.Unmarshal([]byte(lines[0]), &inside)
	json.Unmarshal([]byte(lines[1]), &access)
	want := map[string]any{"msg": "request", "method": "POST", "route": "POST /things/{id}", "path": "/things/42",
		"status": 201.0, "bytes": 5.0, "duration_seconds": 0.25, "client_ip": "198.51.100.4"}
	for k, v := range want {
		if access[k] != v {
			t.Errorf("access line %s = %v, want %v", k, access[k], v)
		}
	}
	if access["request_id"] == nil || inside["request_id"] != access["request_id"] {
		t.Errorf("request ids: handler's line %v, access line %v; want the same, set", inside["request_id"], access["request_id"])
	}
	if obs.route != "POST /things/{id}" || obs.method != "POST" || obs.code != 201 || obs.d != 250*time.Millisecond || obs.inFlight != 0 {
		t.Errorf("observed %+v", obs)
	}
}

func TestNewLoggerRejects(t *testing.T) {
	for _, args := range [][2]string{{"xml", "info"}, {"json", "loud"}} {
		if _, err := NewLogger(io.Discard, args[0], args[1]); err == nil {
			t.Errorf("NewLogger(%q, %q) accepted it", args[0], args[1])
		}
	}
}

func TestWriteHTML(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := httptest.NewRecorder()
		WriteHTML(rec, httptest.NewRequest(method, "/", nil), http.StatusTeapot, "zh-CN", "default-src 'none'", []byte("<p>x</p>"))
		h := rec.Header()
		if rec.Code != http.StatusTeapot || h.Get("Content-Language") != "zh-CN" || h.Get("Cache-Control") != "no-store" ||
			h.Get("Content-Security-Policy") != "default-src 'none'" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: %d %v", method, rec.Code, h)
		}
		if want := map[string]string{http.MethodGet: "<p>x</p>", http.MethodHead: ""}[method]; rec.Body.String() != want {
			t.Errorf("%s: body %q", method, rec.Body.String())
		}
	}
}
