package system

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// skipOrFail skips the test with why, except under CI=true, where a missing
// component is a failure: CI must not pass by skipping.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI=true requires it", why)
	}
	t.Skipf("skipping: %s", why)
}

// privatePostgres is a PostgreSQL server of the test's own, on a random
// loopback port with its data in a temporary directory, so that the test may
// stop and start it: the shared server other tests use is never touched.
type privatePostgres struct {
	t      *testing.T
	bin    string   // directory of initdb, pg_ctl
	runAs  []string // runuser prefix when running as root
	dir    string   // owned by the server's user: data, socket, log
	port   int
	dbURL  string
	mu     sync.Mutex
	isDown bool
}

// startPrivatePostgres initialises and starts a server from Debian's
// /usr/lib/postgresql/*/bin, as the postgres user when the test runs as
// root (initdb refuses root); it is stopped and removed when the test ends.
func startPrivatePostgres(t *testing.T, ctx context.Context) *privatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		skipOrFail(t, "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin to start a private server")
	}
	sort.Strings(bins)
	p := &privatePostgres{t: t, bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "genauth-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p.dir = dir
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			skipOrFail(t, "running as root without a postgres user to run a private PostgreSQL as")
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if out, err := p.command(ctx, "initdb", "-D", p.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		skipOrFail(t, fmt.Sprintf("initdb failed: %v\n%s", err, out))
	}
	p.start(ctx)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = p.command(ctx, "pg_ctl", "-D", p.data(), "-m", "immediate", "-w", "stop").Run()
	})
	p.dbURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
	return p
}

func (p *privatePostgres) data() string { return filepath.Join(p.dir, "data") }

func (p *privatePostgres) command(ctx context.Context, tool string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, p.runAs...), filepath.Join(p.bin, tool)), args...)
	return exec.CommandContext(ctx, argv[0], argv[1:]...)
}

// start starts the server and waits until it accepts connections.
func (p *privatePostgres) start(ctx context.Context) {
	p.t.Helper()
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s", p.port, p.dir)
	out, err := p.command(ctx, "pg_ctl", "-D", p.data(), "-o", opts, "-l", filepath.Join(p.dir, "log"), "-w", "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "log"))
		p.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	p.mu.Lock()
	p.isDown = false
	p.mu.Unlock()
}

// stop shuts the server down as an administrator's restart does (fast:
// sessions are ended, committed work is kept).
func (p *privatePostgres) stop(ctx context.Context) {
	p.t.Helper()
	p.mu.Lock()
	p.isDown = true
	p.mu.Unlock()
	if out, err := p.command(ctx, "pg_ctl", "-D", p.data(), "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		p.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// tokenLoad issues client_credentials tokens from workers in a loop until
// stopped, keeping every token answered 200 and counting every answer.
type tokenLoad struct {
	mu       sync.Mutex
	tokens   []string
	statuses map[string]int // "200", "503", "503 without Retry-After", "error: ..."
	samples  []string       // bodies of unexpected answers
	stop     chan struct{}
	wg       sync.WaitGroup
}

func startTokenLoad(base, clientID, secret string, workers int) *tokenLoad {
	l := &tokenLoad{statuses: map[string]int{}, stop: make(chan struct{})}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	for range workers {
		l.wg.Go(func() {
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				l.record(issue(client, base, form))
			}
		})
	}
	return l
}

// issue asks for one token; it returns the answer's kind and, for a 200, the token.
func issue(c *http.Client, base string, form url.Values) (kind, tok, body string) {
	resp, err := c.PostForm(base+"/oauth/token", form)
	if err != nil {
		return "error: " + err.Error(), "", ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	_ = json.Unmarshal(b, &v)
	switch {
	case resp.StatusCode == http.StatusOK && v.AccessToken != "":
		return "200", v.AccessToken, ""
	case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "" && v.Error == "temporarily_unavailable":
		return "503", "", ""
	}
	return strconv.Itoa(resp.StatusCode) + " (unexpected)", "", string(b)
}

func (l *tokenLoad) record(kind, tok, body string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.statuses[kind]++
	if tok != "" {
		l.tokens = append(l.tokens, tok)
	}
	if body != "" && len(l.samples) < 5 {
		l.samples = append(l.samples, kind+": "+body)
	}
}

func (l *tokenLoad) count(kind string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.statuses[kind]
}

// waitFor polls until the load has answered n more of kind than it had,
// or fails the test after limit (which only stops a test that hangs).
func (l *tokenLoad) waitFor(t *testing.T, kind string, n int, limit time.Duration) {
	t.Helper()
	want := l.count(kind) + n
	deadline := time.Now().Add(limit)
	for l.count(kind) < want {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %d more %s answers; answers so far %v", limit, n, kind, l.statuses)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// finish stops the load and checks that every answer was a 200 or a 503
// with Retry-After and temporarily_unavailable, that there were both, and
// that every token answered 200 is active now (introspected after the fault).
func (l *tokenLoad) finish(t *testing.T, base, clientID, secret string) {
	t.Helper()
	close(l.stop)
	l.wg.Wait()
	t.Logf("answers under the fault: %v; %d tokens issued", l.statuses, len(l.tokens))
	for kind, n := range l.statuses {
		if kind != "200" && kind != "503" {
			t.Errorf("%d answers %s; want only 200 and 503 with Retry-After (samples %q)", n, kind, l.samples)
		}
	}
	if l.statuses["503"] == 0 {
		t.Error("no 503 while the database was away: the fault was not seen")
	}
	c := &flowClient{base: base, clientID: clientID, secret: secret, api: apiClient}
	lost := 0
	for _, tok := range l.tokens {
		if got, err := c.introspect(tok); err != nil || !got.Active {
			lost++
			if lost <= 3 {
				t.Errorf("a token answered 200 introspects as %+v, %v; want active", got, err)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d tokens answered 200 were lost", lost, len(l.tokens))
	}
}

// waitReady polls /readyz until it answers 200, as a load balancer would,
// or fails the test after limit (which only stops a test that hangs).
func waitReady(t *testing.T, base string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		resp, err := apiClient.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not ready %s after the fault ended", limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkOutageLog checks n's log: the database's state changes alternate,
// starting with "unavailable" and ending with "available again" (one line
// per change, never one per failed request), and nothing else was logged
// as an error. The log arrives through a pipe that a goroutine copies, so
// the last line may trail /readyz's answer: it waits (at most limit, which
// only stops a test that hangs) for a change to "up" after the last "down".
func checkOutageLog(t *testing.T, n *node, limit time.Duration) {
	t.Helper()
	var changes []string
	deadline := time.Now().Add(limit)
	for {
		changes = stateChanges(n.stderr())
		if len(changes) > 0 && changes[len(changes)-1] == "up" || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for line := range strings.SplitSeq(n.stderr(), "\n") {
		if strings.Contains(line, "level=ERROR") && !strings.Contains(line, `msg="database unavailable"`) {
			t.Errorf("logged as an error: %s", line)
		}
	}
	t.Logf("database state changes logged: %v", changes)
	if len(changes) == 0 || changes[0] != "down" || changes[len(changes)-1] != "up" {
		t.Errorf("state changes %v; want down first and up last", changes)
	}
	for i := 1; i < len(changes); i++ {
		if changes[i] == changes[i-1] {
			t.Errorf("state changes %v: %q logged twice in a row", changes, changes[i])
			break
		}
	}
}

// stateChanges lists the database's state changes in log, in order.
func stateChanges(log string) []string {
	var changes []string
	for line := range strings.SplitSeq(log, "\n") {
		switch {
		case strings.Contains(line, `msg="database unavailable"`):
			changes = append(changes, "down")
		case strings.Contains(line, `msg="database available again"`):
			changes = append(changes, "up")
		}
	}
	return changes
}

// fillDisk writes path until the file system is full.
func fillDisk(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); errors.Is(err, syscall.ENOSPC) {
			return nil
		} else if err != nil {
			return err
		}
	}
}
