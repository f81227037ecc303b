package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/testkit/blackbox"
)

// serveRun is a `genauth serve` running in-process on a loopback port.
type serveRun struct {
	baseURL string          // where it listens
	lines   []string        // stdout up to and including the listening line
	stop    func() []string // cancels, waits for the exit and returns the rest of stdout
	code    func() int      // exit status, after stop
	stderr  func() string   // the log, after stop
}

func startServe(t *testing.T, dir string, extra ...string) *serveRun {
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
	var stderr strings.Builder
	exited := make(chan int, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir}, extra...)
	go func() {
		code := run(ctx, args, strings.NewReader(""), pw, &stderr)
		pw.Close()
		exited <- code
	}()
	r := &serveRun{}
	for line := range lines {
		r.lines = append(r.lines, line)
		if rest, ok := strings.CutPrefix(line, "GenAuth is listening on "); ok {
			r.baseURL, _, _ = strings.Cut(rest, " ")
			break
		}
	}
	if r.baseURL == "" {
		cancel()
		t.Fatalf("serve exited with %d before listening; stdout %q, stderr %q", <-exited, r.lines, stderr.String())
	}
	var code int
	stopped := false
	r.stop = func() []string {
		cancel()
		var rest []string
		for line := range lines {
			rest = append(rest, line)
		}
		code = <-exited
		stopped = true
		return rest
	}
	r.code = func() int { return code }
	r.stderr = stderr.String
	t.Cleanup(func() {
		if !stopped {
			r.stop()
		}
	})
	return r
}

func TestServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fresh")
	srv := startServe(t, dir, "--public-url", "http://localhost:8080/")

	appID, secret := blackbox.Field(srv.lines, "app_id"), blackbox.Field(srv.lines, "app_secret")
	if appID == "" || secret == "" {
		t.Fatalf("first start printed %q, want the demo app_id and app_secret", srv.lines)
	}
	printed := strings.Join(srv.lines, "\n")
	for _, want := range []string{
		"http://localhost:8080/register",
		"http://localhost:8080/oauth/auth?client_id=" + appID + "&redirect_uri=" + url.QueryEscape(demoRedirectURI),
		"curl -s http://localhost:8080/oauth/token -d grant_type=authorization_code",
		"-d client_id=" + appID + " -d client_secret=" + secret,
	} {
		if !strings.Contains(printed, want) {
			t.Errorf("first start output lacks %q:\n%s", want, printed)
		}
	}
	if !strings.HasPrefix(srv.baseURL, "http://127.0.0.1:") || strings.HasSuffix(srv.baseURL, ":0") {
		t.Errorf("listening on %q, want the real loopback port", srv.baseURL)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := blackbox.Get(t, srv.baseURL+path); code != http.StatusOK {
			t.Errorf("GET %s = %d %q", path, code, body)
		}
	}
	// The hosted registration page and the demo app's authorize link work.
	if code, _ := blackbox.Get(t, srv.baseURL+"/register"); code != http.StatusOK {
		t.Errorf("GET /register = %d", code)
	}
	if rest := srv.stop(); len(rest) != 0 {
		t.Errorf("output after shutdown: %q", rest)
	}
	if srv.code() != 0 {
		t.Fatalf("serve exited with %d after cancellation, want 0", srv.code())
	}

	var listed []appJSON
	decodeJSON(t, mustRun(t, "", "app", "list", "--json", "--data-dir", dir), &listed)
	if len(listed) != 1 || listed[0].AppID != appID || listed[0].Name != demoAppName ||
		strings.Join(listed[0].RedirectURIs, " ") != demoRedirectURI ||
		strings.Join(listed[0].LogoutRedirectURIs, " ") != demoLogoutURI ||
		strings.Join(listed[0].GrantTypes, " ") != "authorization_code refresh_token" {
		t.Errorf("after first start the database holds %+v, want only the demo application", listed)
	}

	// A second start neither creates another application nor shows a
	// secret; with no administrator yet it prints a new link.
	again := startServe(t, dir)
	if blackbox.Field(again.lines, "app_secret") != "" || len(again.lines) != 2 ||
		!strings.HasPrefix(again.lines[0], "GenAuth has no administrator.") {
		t.Errorf("second start printed %q, want only the administrator link and the listening line", again.lines)
	}
	again.stop()
	if again.code() != 0 {
		t.Errorf("second serve exited with %d", again.code())
	}
	if a, _ := counts(t, dir); a != 1 {
		t.Errorf("%d applications after the second start, want 1", a)
	}
}

// adminLink returns the token of the first-administrator link in lines, or "".
func adminLink(t *testing.T, lines []string, publicURL string) string {
	t.Helper()
	const prefix = "GenAuth has no administrator. Open this link within 24 hours to become one: "
	var tok string
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			if tok != "" {
				t.Errorf("two links printed: %q", lines)
			}
			var found bool
			if tok, found = strings.CutPrefix(rest, publicURL+"/console/bootstrap?token="); !found {
				t.Errorf("link %q is not under %s/console/bootstrap", rest, publicURL)
			}
		}
	}
	return tok
}

// TestServeAdminLink: each start with no administrator prints a new
// one-time link (the earlier one stops working), its token never in the
// log; the link makes the first administrator, and then none is printed.
func TestServeAdminLink(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	const public = "https://auth.example.com"
	var tokens []string
	for range 2 {
		srv := startServe(t, dir, "--public-url", public)
		srv.stop()
		tok := adminLink(t, srv.lines, public)
		if tok == "" {
			t.Fatalf("a start with no administrator printed %q, want the link", srv.lines)
		}
		if log := srv.stderr(); strings.Contains(log, tok) || !strings.Contains(log, "no administrator") {
			t.Errorf("the log holds the token or lacks the notice: %q", log)
		}
		tokens = append(tokens, tok)
	}
	if tokens[0] == tokens[1] {
		t.Fatal("the second start printed the first start's link")
	}

	id := strings.TrimSpace(mustRun(t, "correct horse battery\n", "user", "create", "--data-dir", dir, "--username", "root", "--password-stdin"))
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	svc := adminService(st)
	if err := svc.Claim(t.Context(), tokens[0], id); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("claim with the replaced link: %v, want ErrNotFound", err)
	}
	if err := svc.Claim(t.Context(), tokens[1], id); err != nil {
		t.Fatalf("claim with the last link: %v", err)
	}
	st.Close()

	srv := startServe(t, dir, "--public-url", public)
	srv.stop()
	if len(srv.lines) != 1 {
		t.Errorf("a start with an administrator printed %q, want only the listening line", srv.lines)
	}
}

func TestServeEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GENAUTH_DATA_DIR", filepath.Join(dir, "env"))
	t.Setenv("GENAUTH_PUBLIC_URL", "https://id.example.com/base/")
	t.Setenv("GENAUTH_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"serve"}, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	var lines []string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "GenAuth is listening on ") {
			cancel()
		}
	}
	if code := <-exited; code != 0 {
		t.Fatalf("serve exited %d; stdout %q", code, lines)
	}
	out := strings.Join(lines, "\n")
	if !strings.Contains(out, "https://id.example.com/base/register") || !strings.Contains(out, "(public URL https://id.example.com/base)") {
		t.Errorf("GENAUTH_PUBLIC_URL not used:\n%s", out)
	}
	if !strings.Contains(out, "listening on http://127.0.0.1:") {
		t.Errorf("GENAUTH_ADDR not used:\n%s", out)
	}
	if a, _ := counts(t, filepath.Join(dir, "env")); a != 1 {
		t.Errorf("GENAUTH_DATA_DIR: %d applications, want the demo application", a)
	}
}

func TestServeAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	out, errOut, code := cliRun(t, "", "serve", "--addr", ln.Addr().String(), "--data-dir", dir)
	if code != 1 || out != "" || !strings.HasPrefix(errOut, "genauth: ") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 with an error and no demo secret", code, out, errOut)
	}
	// The demo application waits for a start that can actually serve.
	if a, _ := counts(t, dir); a != 0 {
		t.Errorf("%d applications after a failed start, want 0", a)
	}
}

func TestParsePublicURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"http://localhost:8080", "http://localhost:8080", true},
		{"http://localhost:8080/", "http://localhost:8080", true},
		{"https://auth.example.com/genauth/", "https://auth.example.com/genauth", true},
		{"HTTPS://auth.example.com", "https://auth.example.com", true},
		{"ftp://example.com", "", false},
		{"localhost:8080", "", false},
		{"/relative", "", false},
		{"https://", "", false},
		{"https://example.com/?x=1", "", false},
		{"https://example.com/?", "", false},
		{"https://example.com/#top", "", false},
		{"https://user:pw@example.com", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := parsePublicURL(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("parsePublicURL(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestGracefulShutdown checks that cancelling the context (what SIGINT and
// SIGTERM do) stops new work but lets an in-flight request finish.
func TestGracefulShutdown(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	logger := slog.New(slog.DiscardHandler)
	srv := newHTTPServer(h, logger)
	shuttingDown := make(chan struct{})
	srv.RegisterOnShutdown(func() { close(shuttingDown) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runHTTP(ctx, srv, ln, logger, time.Hour) }()

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{resp.StatusCode, string(b), err}
	}()

	<-started
	cancel()
	<-shuttingDown
	select {
	case err := <-done:
		t.Fatalf("runHTTP returned %v while a request was in flight", err)
	default:
	}
	close(release)
	if r := <-got; r.err != nil || r.status != http.StatusOK || r.body != "finished" {
		t.Errorf("in-flight request: %d %q %v; want 200 \"finished\"", r.status, r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Errorf("runHTTP after a graceful shutdown: %v", err)
	}
}

// TestShutdownGraceExceeded checks that a request outliving the grace period
// does not keep the process alive: runHTTP closes it and reports an error.
func TestShutdownGraceExceeded(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	logger := slog.New(slog.DiscardHandler)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runHTTP(ctx, newHTTPServer(h, logger), ln, logger, time.Nanosecond) }()
	reqErr := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/stuck")
		if err == nil {
			resp.Body.Close()
		}
		reqErr <- err
	}()
	<-started
	cancel()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "still running") {
		t.Errorf("runHTTP = %v, want an error about requests still running", err)
	}
	if err := <-reqErr; err == nil {
		t.Error("the stuck request got a response, want its connection closed")
	}
}
