package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/postgres"
	"github.com/opengenauth/genauth/internal/testkit/blackbox"
)

// pgCounts returns how many applications and users the PostgreSQL database holds.
func pgCounts(t *testing.T, url string) (nApps, nUsers int) {
	t.Helper()
	st, err := postgres.Open(context.Background(), url, postgres.Options{})
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

// wantOneLineError checks the CLI's rule for bad input: exit 1, nothing on
// stdout, one line on stderr starting "genauth: " and containing want.
func wantOneLineError(t *testing.T, args []string, stdout, stderr string, code int, want string) {
	t.Helper()
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "genauth: ") || strings.Count(stderr, "\n") != 1 ||
		!strings.Contains(stderr, want) {
		t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and one line containing %q", args, code, stdout, stderr, want)
	}
}

func TestPostgresCommands(t *testing.T) {
	url := pgtest.NewDatabase(t)
	db := []string{"--database", url}

	// app and user commands need a migrated database.
	args := append([]string{"app", "list"}, db...)
	out, errOut, code := cliRun(t, "", args...)
	wantOneLineError(t, args, out, errOut, code, "no GenAuth schema in ")

	if out := mustRun(t, "", append([]string{"migrate"}, db...)...); out != "database "+url+" is up to date\n" {
		t.Errorf("migrate printed %q", out)
	}
	mustRun(t, "", append([]string{"migrate"}, db...)...)

	var app appJSON
	decodeJSON(t, mustRun(t, "", append([]string{"app", "create", "--name", "Shop", "--redirect-uri",
		"https://shop.example.com/cb", "--json"}, db...)...), &app)
	var u userJSON
	decodeJSON(t, mustRun(t, "correct horse\n", append([]string{"user", "create", "--username", "ada",
		"--email", "Ada@Example.com", "--password-stdin", "--json"}, db...)...), &u)

	// The same commands through the environment.
	t.Setenv("GENAUTH_DATABASE_URL", url)
	var apps []appJSON
	decodeJSON(t, mustRun(t, "", "app", "list", "--json"), &apps)
	if len(apps) != 1 || apps[0].AppID != app.AppID || apps[0].Name != "Shop" {
		t.Errorf("app list = %+v, want the application created", apps)
	}
	var users []userJSON
	decodeJSON(t, mustRun(t, "", "user", "list", "--json"), &users)
	if len(users) != 1 || users[0].ID != u.ID || *users[0].Email != "ada@example.com" {
		t.Errorf("user list = %+v, want the user created", users)
	}

	// Refused input writes nothing.
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"correct horse\n", []string{"user", "create", "--username", "bob", "--email", "ADA@example.COM", "--password-stdin"}, "already exists"},
		{"short\n", []string{"user", "create", "--username", "bob", "--password-stdin"}, "password"},
		{"", []string{"app", "create", "--name", "x", "--redirect-uri", "not a url"}, "not an absolute URL"},
	} {
		out, errOut, code := cliRun(t, tc.stdin, tc.args...)
		wantOneLineError(t, tc.args, out, errOut, code, tc.want)
	}
	if a, n := pgCounts(t, url); a != 1 || n != 1 {
		t.Errorf("after refused commands: %d applications, %d users; want 1 and 1", a, n)
	}
}

func TestDatabaseFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"not postgres", nil, []string{"migrate", "--database", "mysql://u:hunter2@db/x"}, "--database: mysql://u:xxxxx@db/x is not a postgres:// URL"},
		{"not a URL", nil, []string{"app", "list", "--database", "genauth.db"}, "is not a postgres:// URL"},
		{"unreachable", nil, []string{"migrate", "--database", "postgres://u:hunter2@127.0.0.1:1/x", "--db-connect-timeout", "2s"}, "connection refused"},
		{"bad pool size", nil, []string{"migrate", "--db-max-conns", "-1"}, "want a whole number"},
		{"bad timeout", nil, []string{"migrate", "--db-connect-timeout", "soon"}, "want a duration"},
		{"bad pool size in the environment", map[string]string{"GENAUTH_DB_MAX_CONNS": "many"}, []string{"migrate"}, `invalid GENAUTH_DB_MAX_CONNS "many"`},
		{"bad timeout in the environment", map[string]string{"GENAUTH_DB_STATEMENT_TIMEOUT": "-1s"}, []string{"version"}, "invalid GENAUTH_DB_STATEMENT_TIMEOUT"},
		{"bad URL in the environment", map[string]string{"GENAUTH_DATABASE_URL": "sqlite://x"}, []string{"user", "list"}, "--database: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			dir := t.TempDir()
			args := append(tt.args, "--data-dir", dir)
			out, errOut, code := cliRun(t, "", args...)
			wantOneLineError(t, args, out, errOut, code, tt.want)
			if strings.Contains(errOut, "hunter2") {
				t.Errorf("stderr %q shows the password", errOut)
			}
		})
	}
}

func TestServePostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	dir := t.TempDir()
	srv := startServe(t, dir, "--database", url, "--db-max-conns", "4", "--secret-key", strings.Repeat("ab", 32))
	if blackbox.Field(srv.lines, "app_secret") == "" {
		t.Fatalf("first start on PostgreSQL printed %q, want the demo credentials", srv.lines)
	}
	for _, path := range []string{"/healthz", "/readyz", "/register"} {
		if code, body := blackbox.Get(t, srv.baseURL+path); code != 200 {
			t.Errorf("GET %s = %d %q", path, code, body)
		}
	}
	srv.stop()
	if srv.code() != 0 {
		t.Errorf("serve exited with %d", srv.code())
	}
	if a, _ := pgCounts(t, url); a != 1 {
		t.Errorf("%d applications in PostgreSQL, want the demo application", a)
	}
	if _, err := os.Stat(filepath.Join(dir, dbFile)); !os.IsNotExist(err) {
		t.Errorf("serve --database created a SQLite database in --data-dir (stat: %v)", err)
	}
}
