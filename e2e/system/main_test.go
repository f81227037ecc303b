package system

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// demoRedirectURI is the callback of the demo application a first start
// creates; the tests register their applications with it too.
const demoRedirectURI = "http://localhost:3000/callback"

// dbFile is the SQLite database's name in a data directory.
const dbFile = "genauth.db"

// binDir holds the binary that buildGenauth builds, for this test process.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "genauth-system-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// built is the binary once a test has built it; a failed build is tried
// again by the next test that asks.
var built struct {
	sync.Mutex
	path string
}

// buildGenauth compiles cmd/genauth the first time a test of this process
// asks, and returns the binary's path.
func buildGenauth(t testing.TB, ctx context.Context) string {
	t.Helper()
	built.Lock()
	defer built.Unlock()
	if built.path != "" {
		return built.path
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(binDir, "genauth")
	out, err := exec.CommandContext(ctx, goTool, "build", "-o", bin, "github.com/opengenauth/genauth/cmd/genauth").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	built.path = bin
	return bin
}

// environ is this process's environment without any GENAUTH_* variable,
// plus env: what a genauth process of the tests gets.
func environ(env []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GENAUTH_") {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// mustRun runs the genauth binary with args, stdin on its standard input,
// and returns what it printed; it fails the test unless the command succeeds.
func mustRun(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), buildGenauth(t, t.Context()), args...)
	cmd.Env = environ(nil)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("genauth %s: %v, stderr %q", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// createdApp is what `genauth app create --json` prints that the tests use.
type createdApp struct {
	AppID     string `json:"app_id"`
	AppSecret string `json:"app_secret"`
}

// createApp creates an application through the CLI with args (its
// database, name, redirect URIs and grants). Its access tokens are opaque:
// the system tests and the cluster benchmark were made for those, and JWT
// access tokens have tests of their own (internal/server).
func createApp(t testing.TB, args ...string) createdApp {
	t.Helper()
	out := mustRun(t, "", append([]string{"app", "create", "--json", "--access-token-format", "opaque"}, args...)...)
	var app createdApp
	if err := json.Unmarshal([]byte(out), &app); err != nil || app.AppID == "" {
		t.Fatalf("genauth app create printed %q: %v", out, err)
	}
	return app
}

// appWithAlice creates, through the CLI, on the database that where names
// (--data-dir or --database), an application called name with every grant
// the tests use, and the user alice; it returns the application's id and
// secret.
func appWithAlice(t *testing.T, name string, where ...string) (id, secret string) {
	t.Helper()
	app := createApp(t, append([]string{"--name", name, "--redirect-uri", demoRedirectURI,
		"--grant", "authorization_code,refresh_token,client_credentials"}, where...)...)
	mustRun(t, "correct horse battery\n", append([]string{"user", "create", "--username", "alice", "--password-stdin"}, where...)...)
	return app.AppID, app.AppSecret
}
