package system

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	_ "modernc.org/sqlite" // the driver for the integrity check

	"github.com/opengenauth/genauth/internal/testkit/blackbox"
)

// Tests in this file and soak_test.go run the real genauth binary on SQLite.

// sqliteSetup creates, through the CLI, the database in dir with an
// application allowing every grant the tests use (refresh tokens rotate, the
// default for new applications) and the user alice.
func sqliteSetup(t *testing.T, dir string) (clientID, secret string) {
	t.Helper()
	mustRun(t, "", "migrate", "--data-dir", dir)
	return appWithAlice(t, "Fault test", "--data-dir", dir)
}

// startSQLiteNode starts `genauth serve` on the SQLite database in dir, on
// a free loopback port; it is killed when the test ends.
func startSQLiteNode(t *testing.T, ctx context.Context, bin, name, dir string) *node {
	t.Helper()
	n, err := runNode(t, ctx, bin, name, nil, "--data-dir", dir, "--sweep-interval", "0")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// flowClient is a client application with a signed-in browser, speaking to
// one node; its methods return errors instead of failing the test, so that
// load goroutines can use them.
type flowClient struct {
	base, clientID, secret string
	browser                *http.Client // holds alice's session cookie
	api                    *http.Client
}

func newFlowClient(t *testing.T, base, clientID, secret string, api *http.Client) *flowClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &flowClient{base: base, clientID: clientID, secret: secret, api: api,
		browser: &http.Client{Jar: jar, Transport: api.Transport, Timeout: api.Timeout, CheckRedirect: apiClient.CheckRedirect}}
	if _, loggedIn := authorize(t, c.browser, base, clientID); !loggedIn {
		t.Fatal("the first authorization did not ask to sign in")
	}
	return c
}

// post sends form with the client's credentials and decodes a JSON answer
// into v; a status other than 200 is an error carrying the body.
func (c *flowClient) post(path string, form url.Values, v any) error {
	form.Set("client_id", c.clientID)
	form.Set("client_secret", c.secret)
	resp, err := c.api.PostForm(c.base+path, form)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return &statusError{resp.StatusCode, string(body)}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("POST %s: 200 with %q: %v", path, body, err)
	}
	return nil
}

// statusError is an answer with an unexpected status.
type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("status %d: %.200s", e.status, e.body) }

// requestToken asks the token endpoint and checks the answer.
func requestToken(form url.Values, wantRefresh bool, c *flowClient) (blackbox.TokenResponse, error) {
	var tok blackbox.TokenResponse
	if err := c.post("/oauth/token", form, &tok); err != nil {
		return tok, err
	}
	if len(tok.AccessToken) != 40 || (tok.RefreshToken != "") != wantRefresh {
		return tok, fmt.Errorf("%s: 200 with %+v", form.Get("grant_type"), tok)
	}
	return tok, nil
}

func (c *flowClient) clientCredentials() (blackbox.TokenResponse, error) {
	return requestToken(url.Values{"grant_type": {"client_credentials"}}, false, c)
}

func (c *flowClient) refresh(rt string) (blackbox.TokenResponse, error) {
	tok, err := requestToken(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, true, c)
	if err == nil && tok.RefreshToken == rt {
		err = fmt.Errorf("refresh: the refresh token was not rotated")
	}
	return tok, err
}

// codeFlow authorizes with the browser's session and redeems the code.
func (c *flowClient) codeFlow(state string) (blackbox.TokenResponse, error) {
	resp, err := c.browser.Get(c.base + "/oauth/auth?" + url.Values{"client_id": {c.clientID}, "redirect_uri": {demoRedirectURI},
		"response_type": {"code"}, "scope": {"user"}, "state": {state}}.Encode())
	if err != nil {
		return blackbox.TokenResponse{}, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), demoRedirectURI+"?") ||
		loc.Query().Get("state") != state || loc.Query().Get("code") == "" {
		return blackbox.TokenResponse{}, &statusError{resp.StatusCode, resp.Header.Get("Location") + " " + string(body)}
	}
	return requestToken(url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {demoRedirectURI}}, true, c)
}

func (c *flowClient) introspect(tok string) (blackbox.Introspection, error) {
	var got blackbox.Introspection
	err := c.post("/oauth/token/introspection", url.Values{"token": {tok}}, &got)
	return got, err
}

// integrityCheck runs PRAGMA integrity_check on the SQLite database in dir.
func integrityCheck(t *testing.T, dir string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: filepath.Join(dir, dbFile)}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res []string
	rows, err := db.QueryContext(t.Context(), "PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		res = append(res, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	if len(res) != 1 || res[0] != "ok" {
		t.Errorf("PRAGMA integrity_check = %q, want ok", res)
	}
}

// TestCrashKeepsIssuedTokens kills the server with SIGKILL in the middle of
// a bounded token-issuing load on SQLite (client_credentials, code
// exchanges, rotating refreshes) and restarts it on the same data
// directory: every token a client holds from a 200 is active after the
// restart, the newest refresh token of each chain still refreshes, and the
// database passes PRAGMA integrity_check. A token is answered only after
// the transaction storing it committed, and a crash loses no commit.
func TestCrashKeepsIssuedTokens(t *testing.T) {
	const (
		workers   = 8
		perWorker = 60                      // requests per worker at most
		killAfter = workers * perWorker / 3 // tokens received before the kill
	)
	ctx, cancel := context.WithTimeout(t.Context(), clusterTimeout)
	defer cancel()
	bin := buildGenauth(t, ctx)
	dir := t.TempDir()
	clientID, secret := sqliteSetup(t, dir)
	a := startSQLiteNode(t, ctx, bin, "first", dir)

	// Half the workers get client_credentials tokens; the other half sign in
	// once and then alternate code exchanges and refreshes of their chain.
	type chain struct {
		refresh string
		// inFlight: a refresh of this token got no answer (the kill cut
		// it), so it may have been rotated without the client knowing.
		inFlight bool
	}
	var (
		mu       sync.Mutex
		access   []string // every access token received with a 200
		chains   = make([]chain, workers)
		ok       atomic.Int64
		killOnce sync.Once
		killed   = make(chan struct{})
		wg       sync.WaitGroup
	)
	// A chain settled before the load: the kill can cut a refresh of every
	// chain under load, and then none of those is known to the client, but
	// this one always is.
	settledClient := newFlowClient(t, a.url, clientID, secret, apiClient)
	settled, err := settledClient.codeFlow("settled")
	if err == nil {
		settled, err = settledClient.refresh(settled.RefreshToken)
	}
	if err != nil {
		t.Fatalf("settled chain: %v", err)
	}
	clients := make([]*flowClient, workers)
	for w := range workers {
		clients[w] = &flowClient{base: a.url, clientID: clientID, secret: secret, api: apiClient}
		if w%2 == 1 {
			clients[w] = newFlowClient(t, a.url, clientID, secret, apiClient)
		}
	}
	received := func(w int, tok blackbox.TokenResponse) {
		mu.Lock()
		defer mu.Unlock()
		access = append(access, tok.AccessToken)
		if tok.RefreshToken != "" {
			chains[w] = chain{refresh: tok.RefreshToken}
		}
		if ok.Add(1) == killAfter {
			killOnce.Do(func() {
				if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Errorf("kill -9: %v", err)
				}
				close(killed)
			})
		}
	}
	for w := range workers {
		c := clients[w]
		wg.Go(func() {
			for i := range perWorker {
				var tok blackbox.TokenResponse
				var err error
				mu.Lock()
				cur := chains[w].refresh
				mu.Unlock()
				switch {
				case w%2 == 0:
					tok, err = c.clientCredentials()
				case cur == "" || i%3 == 0:
					tok, err = c.codeFlow("w" + strconv.Itoa(w) + "-" + strconv.Itoa(i))
				default:
					tok, err = c.refresh(cur)
					if _, refused := err.(*statusError); err != nil && !refused {
						mu.Lock()
						chains[w].inFlight = true
						mu.Unlock()
					}
				}
				select {
				case <-killed:
					if err != nil {
						return // the server is gone: the client stops
					}
				default:
					if err != nil {
						t.Errorf("worker %d before the kill: %v", w, err)
						return
					}
				}
				received(w, tok)
			}
		})
	}
	wg.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("only %d tokens issued; the server was never killed", ok.Load())
	}
	if err := a.cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("the server ended with %v, want killed", err)
	}
	integrityCheck(t, dir)

	b := startSQLiteNode(t, ctx, bin, "restarted", dir)
	check := &flowClient{base: b.url, clientID: clientID, secret: secret, api: apiClient}
	t.Logf("%d access tokens received before and around the kill", len(access))
	for _, tok := range access {
		got, err := check.introspect(tok)
		if err != nil || !got.Active || got.ClientID != clientID {
			t.Errorf("an access token received with a 200 introspects after the restart as %+v, %v; want active", got, err)
		}
	}
	if _, err := check.refresh(settled.RefreshToken); err != nil {
		t.Errorf("the refresh token settled before the load, after the restart: %v", err)
	}
	refreshed := 0
	for w, ch := range chains {
		if ch.refresh == "" || ch.inFlight {
			continue
		}
		if got, err := check.introspect(ch.refresh); err != nil || !got.Active {
			t.Errorf("worker %d's refresh token introspects after the restart as %+v, %v; want active", w, got, err)
		}
		if _, err := check.refresh(ch.refresh); err != nil {
			t.Errorf("worker %d's refresh token after the restart: %v", w, err)
		}
		refreshed++
	}
	t.Logf("%d of %d chains under load were known to their client at the kill and still refresh", refreshed, workers/2)
	integrityCheck(t, dir)
}
