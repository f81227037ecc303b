package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/testkit/blackbox"
)

// opsServer is `genauth serve` running in-process with its stderr kept.
type opsServer struct {
	base    string // where it listens, http:// or https://
	metrics string // the metrics URL, when --metrics-addr was given
	stderr  *blackbox.LockedBuffer
	stop    func() int // cancels, waits and returns the exit status
}

func startOps(t *testing.T, dir string, extra ...string) *opsServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	s := &opsServer{stderr: &blackbox.LockedBuffer{}}
	exited := make(chan int, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--sweep-interval", "0"}, extra...)
	go func() {
		code := run(ctx, args, strings.NewReader(""), pw, s.stderr)
		pw.Close()
		exited <- code
	}()
	for line := range lines {
		if rest, ok := strings.CutPrefix(line, "Metrics are served on "); ok {
			s.metrics = rest
		}
		if rest, ok := strings.CutPrefix(line, "GenAuth is listening on "); ok {
			s.base, _, _ = strings.Cut(rest, " ")
			break
		}
	}
	if s.base == "" {
		cancel()
		t.Fatalf("serve exited with %d before listening; stderr %q", <-exited, s.stderr.String())
	}
	go func() {
		for range lines { // drain stdout
		}
	}()
	var once sync.Once
	code := 0
	s.stop = func() int {
		once.Do(func() { cancel(); code = <-exited })
		return code
	}
	t.Cleanup(func() { s.stop() })
	return s
}

// opsApp creates, through the CLI, a database in dir with an application
// allowing every grant and the user alice; it returns the app's credentials.
func opsApp(t *testing.T, dir, alicePassword string) (id, secret string) {
	t.Helper()
	mustRun(t, "", "migrate", "--data-dir", dir)
	var app appJSON
	decodeJSON(t, mustRun(t, "", "app", "create", "--data-dir", dir, "--json", "--name", "Ops test",
		"--redirect-uri", demoRedirectURI, "--grant", "authorization_code,refresh_token,client_credentials"), &app)
	mustRun(t, alicePassword+"\n", "user", "create", "--data-dir", dir, "--username", "alice", "--password-stdin")
	return app.AppID, app.AppSecret
}

// opsClient is an HTTP client that keeps cookies and never follows redirects.
func opsClient(t *testing.T, tr http.RoundTripper) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// send performs req and returns the status, headers and body.
func send(t *testing.T, c *http.Client, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func formRequest(t *testing.T, u string, form url.Values) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// postJSON posts form and decodes a 200 JSON answer into v.
func postFormJSON(t *testing.T, c *http.Client, u string, form url.Values, v any) {
	t.Helper()
	status, _, body := send(t, c, formRequest(t, u, form))
	if status != http.StatusOK {
		t.Fatalf("POST %s: %d %s", u, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("POST %s: %s: %v", u, body, err)
	}
}

// pkce returns a code verifier and its S256 challenge.
func pkce(t *testing.T) (verifier, challenge string) {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// codeWithPKCE runs the authorization request in browser, signing in as
// username when asked, and returns the code from the callback.
func codeWithPKCE(t *testing.T, browser *http.Client, base, clientID, username, password, challenge string) string {
	t.Helper()
	next := base + "/oauth/auth?" + url.Values{"client_id": {clientID}, "redirect_uri": {demoRedirectURI},
		"response_type": {"code"}, "scope": {"user"}, "state": {"st"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}}.Encode()
	for range 6 {
		req, _ := http.NewRequest(http.MethodGet, next, nil)
		status, h, body := send(t, browser, req)
		loc := h.Get("Location")
		if loc == "" {
			t.Fatalf("GET %s: %d without a redirect: %.300s", next, status, body)
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(loc, demoRedirectURI+"?") {
			if u.Query().Get("code") == "" {
				t.Fatalf("callback %s has no code", loc)
			}
			return u.Query().Get("code")
		}
		if u.Path == "/login" {
			_, h, _ := send(t, browser, formRequest(t, base+"/login", url.Values{"username": {username},
				"password": {password}, "return_to": {u.Query().Get("return_to")}}))
			if loc = h.Get("Location"); loc == "" {
				t.Fatalf("POST /login as %s: no redirect (wrong password?)", username)
			}
		}
		if strings.HasPrefix(loc, "/") {
			loc = base + loc
		}
		next = loc
	}
	t.Fatal("too many redirects")
	return ""
}

// scrape reads the metrics page into series name{labels} -> value, with the
// labels as the exposition format writes them (sorted by name).
func scrape(t *testing.T, metricsURL string) (map[string]float64, string) {
	t.Helper()
	status, body := blackbox.Get(t, metricsURL)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d", metricsURL, status)
	}
	series := map[string]float64{}
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		series[line[:i]] = v
	}
	return series, body
}

// testCert writes a self-signed certificate for 127.0.0.1 and localhost,
// valid from notBefore to notAfter, and its key, as PEM files in dir.
func testCert(t *testing.T, dir, name string, notBefore, notAfter time.Time) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)
	return certFile, keyFile, cert
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tlsTransport trusts the given certificates only; it keeps one connection.
func tlsTransport(certs ...*x509.Certificate) *http.Transport {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxConnsPerHost: 1, ForceAttemptHTTP2: true}
}
