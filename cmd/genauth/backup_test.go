package main

import (
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRestoreRefuses: restore checks what it is given and where it writes.
func TestRestoreRefuses(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	opsApp(t, dir, "restore test password")
	good := filepath.Join(root, "good.db")
	mustRun(t, "", "backup", "--data-dir", dir, "--to", good)

	notDB := filepath.Join(root, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	otherDB := filepath.Join(root, "other.db")
	execSQL(t, otherDB, `CREATE TABLE things (id INTEGER)`)
	newer := filepath.Join(root, "newer.db")
	mustRun(t, "", "backup", "--data-dir", dir, "--to", newer)
	execSQL(t, newer, `INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_from_the_future.sql', 0)`)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no --from", []string{"restore", "--data-dir", dir}, "--from is required"},
		{"missing file", []string{"restore", "--data-dir", dir, "--from", filepath.Join(root, "missing.db")}, "no such file"},
		{"not SQLite", []string{"restore", "--data-dir", dir, "--from", notDB}, "is not a SQLite database"},
		{"not GenAuth", []string{"restore", "--data-dir", dir, "--from", otherDB}, "is not a GenAuth database"},
		{"newer schema", []string{"restore", "--data-dir", dir, "--from", newer}, "newer GenAuth"},
		{"PostgreSQL", []string{"restore", "--database", "postgres://u@127.0.0.1:1/x", "--from", good}, "pg_restore"},
		{"backup over a file", []string{"backup", "--data-dir", dir, "--to", good}, "already exists"},
		{"backup of PostgreSQL", []string{"backup", "--database", "postgres://u@127.0.0.1:1/x", "--to", filepath.Join(root, "x")}, "pg_dump"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := cliRun(t, "", tc.args...)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, tc.want)
			}
		})
	}

	// A running server holds the database.
	srv := startOps(t, dir)
	_, stderr, code := cliRun(t, "", "restore", "--data-dir", dir, "--from", good)
	if code != 1 || !strings.Contains(stderr, "a running server uses") {
		t.Errorf("restore under a running server: exit %d, stderr %q", code, stderr)
	}
	srv.stop()
	if out := mustRun(t, "", "restore", "--data-dir", dir, "--from", good); !strings.Contains(out, "Restored") {
		t.Errorf("restore after the server stopped: %q", out)
	}
}

// execSQL runs stmt on the SQLite file at path, creating it if needed.
func execSQL(t *testing.T, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
