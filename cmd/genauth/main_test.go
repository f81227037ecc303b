package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// cliRun runs the genauth command line in-process and returns its output and exit status.
func cliRun(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// mustRun runs the command line and fails the test unless it succeeds.
func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errOut, code := cliRun(t, stdin, args...)
	if code != 0 {
		t.Fatalf("genauth %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
	}
	return out
}

// newDataDir returns a migrated data directory that the test removes afterwards.
func newDataDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	mustRun(t, "", "migrate", "--data-dir", dir)
	return dir
}

// counts returns how many applications and users the database in dir holds.
func counts(t *testing.T, dir string) (nApps, nUsers int) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.ListApplications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(a), len(u)
}

func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %q: %v", s, err)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value in %q", s)
	}
}

func TestMigrateCreatesPrivateDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	out := mustRun(t, "", "migrate", "--data-dir", dir)
	if !strings.Contains(out, filepath.Join(dir, dbFile)) {
		t.Errorf("migrate output %q does not name the database", out)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("data dir mode = %o, want 700", perm)
	}
	// Migrating again is a no-op that succeeds.
	mustRun(t, "", "migrate", "--data-dir", dir)
}

func TestCommandsNeedExistingDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	for _, args := range [][]string{
		{"app", "list"},
		{"user", "list"},
		{"app", "create", "--name", "x", "--redirect-uri", "https://example.com/cb"},
	} {
		out, errOut, code := cliRun(t, "", append(args, "--data-dir", dir)...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "genauth: no database at ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and one line about the missing database", args, code, out, errOut)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a command other than serve or migrate created %s (stat: %v)", dir, err)
	}
}

func TestDataDirPrecedence(t *testing.T) {
	base := t.TempDir()
	fromEnv, fromFlag := filepath.Join(base, "env"), filepath.Join(base, "flag")
	t.Setenv("GENAUTH_DATA_DIR", fromEnv)
	mustRun(t, "", "migrate")
	mustRun(t, "", "migrate", "--data-dir", fromFlag)

	mustRun(t, "", "app", "create", "--name", "flag app", "--redirect-uri", "https://example.com/cb", "--data-dir", fromFlag)
	if a, _ := counts(t, fromFlag); a != 1 {
		t.Errorf("--data-dir: %d apps in the flag's database, want 1", a)
	}
	if a, _ := counts(t, fromEnv); a != 0 {
		t.Errorf("--data-dir: %d apps in the environment's database, want 0 (the flag wins)", a)
	}
	mustRun(t, "", "app", "create", "--name", "env app", "--redirect-uri", "https://example.com/cb")
	if a, _ := counts(t, fromEnv); a != 1 {
		t.Errorf("GENAUTH_DATA_DIR: %d apps in the environment's database, want 1", a)
	}

	// Neither flag nor environment: ./genauth-data.
	t.Setenv("GENAUTH_DATA_DIR", "")
	t.Chdir(base)
	mustRun(t, "", "migrate")
	if _, err := os.Stat(filepath.Join(base, "genauth-data", dbFile)); err != nil {
		t.Errorf("default data dir: %v", err)
	}
}

func TestVersion(t *testing.T) {
	out := mustRun(t, "", "version")
	if !strings.HasPrefix(out, "genauth ") {
		t.Errorf("version printed %q", out)
	}
	old := version
	t.Cleanup(func() { version = old })
	version = "v1.2.3"
	if out := mustRun(t, "", "version"); !strings.HasPrefix(out, "genauth v1.2.3 (") {
		t.Errorf("with -ldflags version: printed %q", out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"bogus"},
		{"app", "bogus"},
		{"user", "bogus"},
		{"--bogus"},
		{"migrate", "extra"},
		{"version", "--bogus"},
	} {
		out, errOut, code := cliRun(t, "", args...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "genauth: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and one line on stderr", args, code, out, errOut)
		}
	}
}
