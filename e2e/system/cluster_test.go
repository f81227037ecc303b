package system

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/testkit/blackbox"
)

// Tests in this file run the real genauth binary as separate processes on one
// PostgreSQL database, as a cluster behind a load balancer would.

// clusterTimeout bounds each cluster test, processes included.
const clusterTimeout = 2 * time.Minute

// clusterSecret is the server secret every node of a test cluster shares.
var clusterSecret = hex.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

// node is a `genauth serve` process.
type node struct {
	name string
	url  string   // where it listens
	out  []string // stdout up to and including the listening line
	cmd  *exec.Cmd
	logs blackbox.LockedBuffer // stderr
}

func (n *node) stderr() string { return n.logs.String() }

// stop shuts the node down as systemd does (SIGTERM), waits for it and
// returns its exit status.
func (n *node) stop() int {
	n.cmd.Process.Signal(syscall.SIGTERM)
	n.cmd.Wait()
	return n.cmd.ProcessState.ExitCode()
}

// startNode starts `genauth serve` on a free loopback port with the database
// at dbURL; it returns once the node listens, or fails the test. The process
// is killed when the test ends (or ctx does).
func startNode(t testing.TB, ctx context.Context, bin, name, dbURL string) *node {
	t.Helper()
	n, err := launchNode(t, ctx, bin, name, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func launchNode(t testing.TB, ctx context.Context, bin, name, dbURL string) (*node, error) {
	return runNode(t, ctx, bin, name, []string{"GENAUTH_SECRET_KEY=" + clusterSecret},
		"--data-dir", t.TempDir(), "--database", dbURL, "--db-max-conns", "8", "--sweep-interval", "1m")
}

// runNode starts `genauth serve` on a free loopback port with args and the
// environment variables env, and returns once it listens. The process gets
// no GENAUTH_* variable but env, and is killed when the test ends.
func runNode(t testing.TB, ctx context.Context, bin, name string, env []string, args ...string) (*node, error) {
	n := &node{name: name}
	n.cmd = exec.CommandContext(ctx, bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--public-url", "http://genauth.test"}, args...)...)
	n.cmd.Env = environ(env)
	n.cmd.Stderr = &n.logs
	stdout, err := n.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := n.cmd.Start(); err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		n.cmd.Process.Kill()
		n.cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		n.out = append(n.out, sc.Text())
		if rest, ok := strings.CutPrefix(sc.Text(), "GenAuth is listening on "); ok {
			n.url, _, _ = strings.Cut(rest, " ")
			go io.Copy(io.Discard, stdout)
			return n, nil
		}
	}
	n.cmd.Wait()
	return nil, fmt.Errorf("node %s exited before listening; stdout %q, stderr %q", name, n.out, n.stderr())
}

// clusterApp creates, through the CLI, an application with every grant the
// tests use and a user, and returns the application's id and secret.
func clusterApp(t *testing.T, dbURL string) (id, secret string) {
	t.Helper()
	return appWithAlice(t, "Cluster test", "--database", dbURL)
}

// appCount is how many applications `genauth app list` shows on the database.
func appCount(t *testing.T, dbURL string) int {
	t.Helper()
	var apps []json.RawMessage
	if err := json.Unmarshal([]byte(mustRun(t, "", "app", "list", "--json", "--database", dbURL)), &apps); err != nil {
		t.Fatalf("genauth app list: %v", err)
	}
	return len(apps)
}

// apiClient talks to the nodes; it never follows redirects.
var apiClient = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// postForm posts form to base+path and decodes the JSON answer into v (when
// not nil); it returns the status.
func postForm(t *testing.T, base, path string, form url.Values, v any) int {
	t.Helper()
	status, body, err := tryPostForm(base, path, form)
	if err != nil {
		t.Fatalf("POST %s%s: %v", base, path, err)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("POST %s%s: %d %q: %v", base, path, status, body, err)
		}
	}
	return status
}

func tryPostForm(base, path string, form url.Values) (int, []byte, error) {
	resp, err := apiClient.PostForm(base+path, form)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// authorize runs the authorization request on base with browser, signing in
// through the hosted login form when the node asks, and returns the code and
// whether the login form was shown.
func authorize(t *testing.T, browser *http.Client, base, clientID string) (code string, loggedIn bool) {
	t.Helper()
	next := base + "/oauth/auth?" + url.Values{"client_id": {clientID}, "redirect_uri": {demoRedirectURI},
		"response_type": {"code"}, "scope": {"user"}, "state": {"s1"}}.Encode()
	for range 6 {
		resp, err := browser.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			t.Fatalf("GET %s: %d without a redirect", next, resp.StatusCode)
		}
		if strings.HasPrefix(loc.String(), demoRedirectURI+"?") {
			if loc.Query().Get("state") != "s1" || loc.Query().Get("code") == "" {
				t.Fatalf("callback %s lacks the code or the state", loc)
			}
			return loc.Query().Get("code"), loggedIn
		}
		if loc.Path == "/login" {
			loggedIn = true
			resp, err := browser.PostForm(base+"/login", url.Values{"username": {"alice"},
				"password": {"correct horse battery"}, "return_to": {loc.Query().Get("return_to")}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc, err = resp.Location(); err != nil {
				t.Fatalf("POST /login: %d without a redirect", resp.StatusCode)
			}
		}
		next = loc.String()
	}
	t.Fatalf("too many redirects authorizing on %s", base)
	return "", false
}

// TestCluster runs two nodes on one PostgreSQL database: both start at the
// same moment on an empty database, a login on one is honoured by the other,
// and every grant, introspection and revocation made on one is seen by the
// other at once (nothing is cached in a node).
func TestCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), clusterTimeout)
	defer cancel()
	bin := buildGenauth(t, ctx)
	dbURL := pgtest.NewDatabase(t)

	// Two nodes at once on an empty database: the migration lock lets both
	// come up, and the demo application is created (and its secret printed) once.
	nodes := make([]*node, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, name := range []string{"A", "B"} {
		wg.Go(func() { nodes[i], errs[i] = launchNode(t, ctx, bin, name, dbURL) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	a, b := nodes[0], nodes[1]
	if secrets := btoi(blackbox.Field(a.out, "app_secret") != "") + btoi(blackbox.Field(b.out, "app_secret") != ""); secrets != 1 {
		t.Errorf("%d nodes printed a demo secret, want exactly 1; A: %q, B: %q", secrets, a.out, b.out)
	}
	if n := appCount(t, dbURL); n != 1 {
		t.Errorf("%d applications after both first starts, want the one demo application", n)
	}
	for _, n := range nodes {
		if code, body := blackbox.Get(t, n.url+"/readyz"); code != http.StatusOK {
			t.Fatalf("node %s /readyz = %d %q", n.name, code, body)
		}
	}

	clientID, secret := clusterApp(t, dbURL)
	creds := func(v url.Values) url.Values {
		v.Set("client_id", clientID)
		v.Set("client_secret", secret)
		return v
	}
	introspect := func(n *node, tok string) blackbox.Introspection {
		t.Helper()
		var got blackbox.Introspection
		if status := postForm(t, n.url, "/oauth/token/introspection", creds(url.Values{"token": {tok}}), &got); status != http.StatusOK {
			t.Fatalf("introspection on %s: status %d", n.name, status)
		}
		return got
	}

	// Log in on A; redeem the code on B.
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: apiClient.CheckRedirect}
	code, loggedIn := authorize(t, browser, a.url, clientID)
	if !loggedIn {
		t.Fatal("node A issued a code without a login")
	}
	var tok blackbox.TokenResponse
	if status := postForm(t, b.url, "/oauth/token", creds(url.Values{"grant_type": {"authorization_code"},
		"code": {code}, "redirect_uri": {demoRedirectURI}}), &tok); status != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("redeeming A's code on B: %d %+v", status, tok)
	}

	// Introspect on A what B issued.
	got := introspect(a, tok.AccessToken)
	if !got.Active || got.Sub == "" || got.ClientID != clientID || got.Iss != "http://genauth.test/oauth" {
		t.Fatalf("A introspects B's token as %+v, want it active for alice", got)
	}
	// Revoke the access token on B: A reports it inactive at once.
	if status := postForm(t, b.url, "/oauth/token/revocation", creds(url.Values{"token": {tok.AccessToken}}), nil); status != http.StatusOK {
		t.Fatalf("revocation on B: %d", status)
	}
	if got := introspect(a, tok.AccessToken); got.Active {
		t.Errorf("A introspects a token revoked on B as %+v, want inactive", got)
	}

	// Refresh on A, revoke the refresh token on B: A refuses it at once, and
	// the access token refreshed from it is inactive on A.
	var refreshed blackbox.TokenResponse
	if status := postForm(t, a.url, "/oauth/token", creds(url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {tok.RefreshToken}}), &refreshed); status != http.StatusOK {
		t.Fatalf("refresh on A: %d %+v", status, refreshed)
	}
	if status := postForm(t, b.url, "/oauth/token/revocation", creds(url.Values{"token": {tok.RefreshToken}}), nil); status != http.StatusOK {
		t.Fatalf("revocation on B: %d", status)
	}
	if got := introspect(a, refreshed.AccessToken); got.Active {
		t.Error("A still reports the access token refreshed from a refresh token revoked on B as active")
	}
	if status := postForm(t, a.url, "/oauth/token", creds(url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {tok.RefreshToken}}), nil); status != http.StatusBadRequest {
		t.Errorf("refresh on A with a token revoked on B: status %d, want 400", status)
	}

	// The browser session made on A is honoured on B: no second login.
	code2, loggedIn := authorize(t, browser, b.url, clientID)
	if loggedIn {
		t.Error("node B asked for a login although the browser signed in on A")
	}
	// That code, redeemed on A and replayed on B, is refused on B, and the
	// replay revokes what A issued for it.
	var tok2 blackbox.TokenResponse
	form := creds(url.Values{"grant_type": {"authorization_code"}, "code": {code2}, "redirect_uri": {demoRedirectURI}})
	if status := postForm(t, a.url, "/oauth/token", form, &tok2); status != http.StatusOK {
		t.Fatalf("redeeming B's code on A: %d %+v", status, tok2)
	}
	if status := postForm(t, b.url, "/oauth/token", form, nil); status != http.StatusBadRequest {
		t.Errorf("replaying the code on B: status %d, want 400", status)
	}
	if got := introspect(a, tok2.AccessToken); got.Active {
		t.Error("a code replayed on B left the tokens A issued for it active")
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestClusterKill kills one node with SIGKILL in the middle of a bounded
// token-issuing load on two nodes: every token a client received with a 200,
// from either node, is still active on the survivor. A response is written
// only after the transaction that stores the token committed.
func TestClusterKill(t *testing.T) {
	const (
		workers   = 8
		perWorker = 40                      // requests per worker at most
		killAfter = workers * perWorker / 3 // tokens received before the kill
	)
	ctx, cancel := context.WithTimeout(t.Context(), clusterTimeout)
	defer cancel()
	bin := buildGenauth(t, ctx)
	dbURL := pgtest.NewDatabase(t)
	mustRun(t, "", "migrate", "--database", dbURL)
	clientID, secret := clusterApp(t, dbURL)
	a := startNode(t, ctx, bin, "A", dbURL)
	b := startNode(t, ctx, bin, "B", dbURL)

	var (
		mu       sync.Mutex
		received = map[string][]string{} // node name -> tokens
		ok       atomic.Int64
		killOnce sync.Once
		killed   = make(chan struct{})
		wg       sync.WaitGroup
	)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				n := []*node{a, b}[(w+i)%2]
				status, body, err := tryPostForm(n.url, "/oauth/token", form)
				if err != nil || status != http.StatusOK {
					continue // refused or cut off by the kill: the client got no token
				}
				var tok blackbox.TokenResponse
				if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
					t.Errorf("node %s answered 200 with %q", n.name, body)
					continue
				}
				mu.Lock()
				received[n.name] = append(received[n.name], tok.AccessToken)
				mu.Unlock()
				if ok.Add(1) == killAfter {
					killOnce.Do(func() {
						if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
							t.Errorf("kill -9 node A: %v", err)
						}
						close(killed)
					})
				}
			}
		})
	}
	wg.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("only %d tokens issued; node A was never killed", ok.Load())
	}
	if err := a.cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("node A ended with %v, want killed", err)
	}
	if len(received["A"]) == 0 || len(received["B"]) == 0 {
		t.Fatalf("tokens from A: %d, from B: %d; want some from each", len(received["A"]), len(received["B"]))
	}
	t.Logf("tokens received: %d from A (killed), %d from B", len(received["A"]), len(received["B"]))
	for name, toks := range received {
		for _, tok := range toks {
			var got blackbox.Introspection
			status := postForm(t, b.url, "/oauth/token/introspection", url.Values{"token": {tok},
				"client_id": {clientID}, "client_secret": {secret}}, &got)
			if status != http.StatusOK || !got.Active {
				t.Errorf("token issued by %s with a 200 introspects on B as %d %+v, want active", name, status, got)
			}
		}
	}
}
