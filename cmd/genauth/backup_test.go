package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// Phases of the backup test, as a writer saw them when it sent a request.
const (
	beforeBackup = iota
	duringBackup
	afterBackup
)

// issued is a token a writer got, with the phase its request was sent in
// and the phase its answer arrived in.
type issued struct {
	value      string
	sent, done int32
}

// TestBackupUnderLoadAndRestore takes `genauth backup` while four clients
// keep getting tokens from the running server, then restores it over the
// database. The restored database passes integrity_check and holds every
// token answered before the backup began and none asked for after it
// ended; a server started on it answers them active and inactive to match.
func TestBackupUnderLoadAndRestore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	appID, appSecret := opsApp(t, dir, "backup test password")
	srv := startOps(t, dir)
	var (
		phase   atomic.Int32
		mu      sync.Mutex
		tokens  []issued
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		errs    = make(chan error, 4)
		counted = make(chan struct{}, 1<<16)
	)
	creds := url.Values{"client_id": {appID}, "client_secret": {appSecret}, "grant_type": {"client_credentials"}}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				sent := phase.Load()
				status, body, err := tryPostForm(srv.base, "/oauth/token", creds)
				if err != nil || status != http.StatusOK {
					errs <- errors.Join(err, errors.New(string(body)))
					return
				}
				var tok tokenResponse
				if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
					errs <- errors.Join(err, errors.New(string(body)))
					return
				}
				mu.Lock()
				tokens = append(tokens, issued{tok.AccessToken, sent, phase.Load()})
				mu.Unlock()
				select {
				case counted <- struct{}{}:
				default: // wake-ups are pending anyway
				}
			}
		}()
	}
	// awaitTokens waits for n tokens asked for in phase p.
	awaitTokens := func(p int32, n int) {
		for {
			mu.Lock()
			got := 0
			for _, tok := range tokens {
				if tok.sent == p {
					got++
				}
			}
			mu.Unlock()
			if got >= n {
				return
			}
			select {
			case <-counted:
			case err := <-errs:
				t.Fatalf("writer: %v", err)
			}
		}
	}
	awaitTokens(beforeBackup, 40)
	backup := filepath.Join(t.TempDir(), "backup.db")
	phase.Store(duringBackup)
	out := mustRun(t, "", "backup", "--data-dir", dir, "--to", backup)
	phase.Store(afterBackup)
	awaitTokens(afterBackup, 20)
	close(stop)
	wg.Wait()
	if !strings.Contains(out, "Backed up") || !strings.Contains(out, "secret.key") {
		t.Errorf("backup said %q", out)
	}
	if info, err := os.Stat(backup); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, mode %v; want 0600", err, info.Mode())
	}
	if srv.stop() != 0 {
		t.Fatalf("serve: %s", srv.stderr.String())
	}

	out = mustRun(t, "", "restore", "--data-dir", dir, "--from", backup)
	if !strings.Contains(out, "Kept the previous database as ") {
		t.Errorf("restore said %q", out)
	}
	integrityCheck(t, dir)
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	var present, absent []string
	var before, after int
	for _, tok := range tokens {
		_, err := st.GetToken(context.Background(), token.Hash(tok.value))
		switch {
		case tok.done == beforeBackup:
			before++
			if err != nil {
				t.Errorf("token answered before the backup began: %v in the restored database", err)
			}
			present = append(present, tok.value)
		case tok.sent == afterBackup:
			after++
			if !errors.Is(err, model.ErrNotFound) {
				t.Errorf("token asked for after the backup ended: found in the restored database (err %v)", err)
			}
			absent = append(absent, tok.value)
		}
	}
	st.Close()
	if before < 30 || after < 20 {
		t.Fatalf("%d tokens before the backup, %d after; the load did not run around it", before, after)
	}

	srv = startOps(t, dir)
	c := &flowClient{base: srv.base, clientID: appID, secret: appSecret, api: apiClient}
	for _, list := range []struct {
		tokens []string
		active bool
	}{{present[:5], true}, {absent[:1], false}} {
		for _, tok := range list.tokens {
			got, err := c.introspect(tok)
			if err != nil || got.Active != list.active {
				t.Errorf("introspect after restore: %+v, %v; want active %v", got, err, list.active)
			}
		}
	}
}

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
