package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/store/storetest"
)

// open returns a migrated store in a fresh file, closed when the test ends.
func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// A SQLite store implements every consumer's store interface.
var _ storetest.Store = (*sqlite.Store)(nil)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return open(t, filepath.Join(t.TempDir(), "genauth.db"))
	})
}

func TestMigrateTwice(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "genauth.db"))
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	checkMigrations(t, s)
}

// checkMigrations checks that schema_migrations has one row per migration file.
func checkMigrations(t *testing.T, s *sqlite.Store) {
	t.Helper()
	var n int
	if err := s.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if n != len(files) {
		t.Errorf("schema_migrations has %d rows, want one per migration file (%d)", n, len(files))
	}
}

// TestMigrateConcurrently starts two stores on one new file at once, as two
// processes starting together would: the write lock makes them take turns.
func TestMigrateConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "genauth.db")
	stores := make([]*sqlite.Store, 4)
	for i := range stores {
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate %d: %v", i, err)
		}
	}
	checkMigrations(t, stores[0])
}

func TestReopenKeepsData(t *testing.T) {
	// The path has characters that mean something in a URI.
	path := filepath.Join(t.TempDir(), "a dir?x=1#y", "genauth.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	now := time.Date(2025, 3, 3, 6, 17, 14, 485_000_000, time.UTC)
	first, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := first.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	u := &model.User{ID: "u1", Username: "ada", CreatedAt: now, UpdatedAt: now}
	if err := first.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path given: %v", err)
	}

	second := open(t, path)
	got, err := second.FindUserByLogin(ctx, "ada")
	if err != nil {
		t.Fatalf("FindUserByLogin after reopening: %v", err)
	}
	if got.ID != "u1" {
		t.Errorf("found user %q, want u1", got.ID)
	}
}

func TestPragmas(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "genauth.db"))
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "1"}, // NORMAL
		{"busy_timeout", "5000"},
	}
	for _, tt := range tests {
		t.Run(tt.pragma, func(t *testing.T) {
			for _, pool := range []string{"write", "read"} {
				got, err := s.Pragma(t.Context(), pool, tt.pragma)
				if err != nil {
					t.Fatalf("%s pool: %v", pool, err)
				}
				if got != tt.want {
					t.Errorf("%s pool: %s = %q, want %q", pool, tt.pragma, got, tt.want)
				}
			}
		})
	}
	got, err := s.Pragma(t.Context(), "read", "query_only")
	if err != nil || got != "1" {
		t.Errorf("read pool: query_only = %q, %v; want 1", got, err)
	}
}

// TestIndexedQueries checks that the hot and cascading queries search an
// index instead of scanning a table.
func TestIndexedQueries(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "genauth.db"))
	queries := []struct {
		sql  string
		args []any
	}{
		{`SELECT * FROM tokens WHERE hash = ?`, []any{"h"}},
		{`SELECT * FROM tokens WHERE id = ?`, []any{"id"}},
		{`UPDATE tokens SET revoked_at = 1 WHERE grant_id = ? AND revoked_at IS NULL`, []any{"g"}},
		{`UPDATE tokens SET revoked_at = 1 WHERE parent_id = ? AND revoked_at IS NULL`, []any{"id"}},
		{`SELECT * FROM auth_codes WHERE hash = ?`, []any{"h"}},
		{`SELECT * FROM sessions WHERE id_hash = ? AND expires_at > ?`, []any{"h", 0}},
		{`SELECT * FROM users WHERE username = ?1 OR email_lower = ?2 OR phone = ?1`, []any{"ada", "ada"}},
		{`SELECT * FROM user_identities WHERE ext_idp_id = ? AND subject = ?`, []any{"p", "s"}},
		{`SELECT * FROM user_identities WHERE user_id = ?`, []any{"u"}},
		{`DELETE FROM user_identities WHERE ext_idp_id = ?`, []any{"p"}},
		{`SELECT * FROM ext_idp_conns WHERE identifier = ?`, []any{"corp"}},
		{`SELECT * FROM ext_idp_conns WHERE ext_idp_id = ?`, []any{"p"}},
		{`SELECT * FROM app_ext_idp_conns WHERE app_id = ?`, []any{"a"}},
		{`DELETE FROM app_ext_idp_conns WHERE conn_id = ?`, []any{"c"}},
		{`SELECT user_id FROM user_roles WHERE role = ? ORDER BY granted_at, user_id`, []any{"admin"}},
		{`SELECT count(*) FROM user_roles WHERE user_id = ? AND role = ?`, []any{"u", "admin"}},
		{`DELETE FROM user_roles WHERE user_id = ?`, []any{"u"}},
	}
	for _, q := range queries {
		plan, err := s.QueryPlan(t.Context(), q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		t.Logf("%s: %s", q.sql, plan)
		if strings.Contains(plan, "SCAN") || !strings.Contains(plan, "SEARCH") {
			t.Errorf("%s\nplan: %s", q.sql, plan)
		}
	}
}

// TestPagedQueries checks that the keyset pages' queries (written as
// sqlstore's userpages.go and audit.go write them) read an index in the
// order they list, with no sort and no table scan, so that LIMIT stops them.
func TestPagedQueries(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "genauth.db"))
	const users = `SELECT id, username_key FROM users WHERE `
	queries := []struct {
		sql, index string
		args       []any
	}{
		{`SELECT id FROM users ORDER BY created_at DESC, id DESC LIMIT 51`, "users_created_id", nil},
		{`SELECT id FROM users WHERE (created_at, id) < (?1, ?2) ORDER BY created_at DESC, id DESC LIMIT ?3`,
			"users_created_id", []any{1, "u", 51}},
		{users + `username_key >= ?1 AND username_key < ?2 AND (username_key, username_dup) > (?3, ?4) AND id <> ?5
			ORDER BY username_key, username_dup LIMIT ?6`, "users_username_key_unique", []any{"a", "a\U0010FFFF", "ab", "", "a", 51}},
		{users + `email_lower >= ?1 AND email_lower < ?2 AND email_lower > ?3 AND id <> ?4
			AND (username_key IS NULL OR username_key < ?5 OR username_key >= ?6) ORDER BY email_lower LIMIT ?7`,
			"sqlite_autoindex_users", []any{"a", "a\U0010FFFF", "ab", "a", "a", "a\U0010FFFF", 51}},
		{users + `phone >= ?1 AND phone < ?2 AND id <> ?3 AND (username_key IS NULL OR username_key < ?4 OR username_key >= ?5)
			AND (email_lower IS NULL OR email_lower < ?6 OR email_lower >= ?7) ORDER BY phone LIMIT ?8`,
			"sqlite_autoindex_users", []any{"+1", "+1\U0010FFFF", "+1", "+1", "+1\U0010FFFF", "+1", "+1\U0010FFFF", 51}},
		{`SELECT seq FROM audit_events ORDER BY time DESC, seq DESC LIMIT ?1`, "audit_events_time", []any{101}},
		{`SELECT seq FROM audit_events WHERE (time, seq) < (?1, ?2) ORDER BY time DESC, seq DESC LIMIT ?3`,
			"audit_events_time", []any{1, 2, 101}},
		{`SELECT seq FROM audit_events WHERE type = ?1 AND (time, seq) < (?2, ?3) ORDER BY time DESC, seq DESC LIMIT ?4`,
			"audit_events_type", []any{"login.success", 1, 2, 101}},
		{`SELECT seq FROM audit_events WHERE user_id = ?1 AND user_id <> '' AND time >= ?2 ORDER BY time DESC, seq DESC LIMIT ?3`,
			"audit_events_user", []any{"u", 1, 101}},
		{`SELECT seq FROM audit_events WHERE client_id = ?1 AND client_id <> '' ORDER BY time DESC, seq DESC LIMIT ?2`,
			"audit_events_client", []any{"app", 101}},
		{`SELECT type, CASE WHEN time < ?1 THEN 0 ELSE 1 END AS day, count(*) FROM audit_events
			WHERE type IN (?2, ?3) AND time >= ?4 AND time < ?5 GROUP BY type, day`,
			"COVERING INDEX audit_events_type", []any{2, "login.success", "login.failure", 1, 3}},
	}
	for _, q := range queries {
		plan, err := s.QueryPlan(t.Context(), q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		t.Logf("%s: %s", q.sql, plan)
		if !strings.Contains(plan, q.index) || strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") ||
			strings.Contains(plan, "SCAN users ") && strings.Contains(q.sql, "WHERE") {
			t.Errorf("%s\nplan: %s\nwant an ordered read of %s", q.sql, plan, q.index)
		}
	}
}

func TestClosedStore(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Error("Ping of a closed store succeeded")
	}
}

// TestConflictNamesField checks that a unique-constraint error says which
// value is taken, without SQL.
func TestConflictNamesField(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "genauth.db"))
	ctx := t.Context()
	if err := s.CreateUser(ctx, &model.User{ID: "u1", Username: "ada", Email: "ada@example.com", Phone: "12345"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user *model.User
		want string
	}{
		{&model.User{ID: "u1"}, "user id: already exists"},
		{&model.User{ID: "u2", Username: "ada"}, "username: already exists"},
		{&model.User{ID: "u2", Username: "ＡＤＡ"}, "username: already exists"},
		{&model.User{ID: "u2", Email: "ADA@example.com"}, "email: already exists"},
		{&model.User{ID: "u2", Phone: "12345"}, "phone: already exists"},
	}
	for _, tt := range tests {
		err := s.CreateUser(ctx, tt.user)
		if !errors.Is(err, model.ErrConflict) || err.Error() != tt.want {
			t.Errorf("CreateUser(%+v) = %v, want %q", tt.user, err, tt.want)
		}
	}
}

// TestMigrateDuplicateUsernames migrates a database whose users differ only
// in the case, width or spacing of their usernames, as GenAuth allowed before
// 0007_signin.sql: the migration succeeds and merges or renames nobody.
func TestMigrateDuplicateUsernames(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()
	if err := s.MigrateTo(ctx, "0006_security.sql"); err != nil {
		t.Fatal(err)
	}
	for _, u := range storetest.LegacyUsers {
		if err := s.Exec(ctx, `INSERT INTO users (id, username, email_verified, phone_verified, password_hash, name,
			given_name, family_name, middle_name, nickname, preferred_username, profile, picture, website, gender,
			birthdate, zoneinfo, locale, address, created_at, updated_at)
			VALUES (?, ?, 0, 0, '', '', '', '', '', '', '', '', '', '', 'U', '', '', '', '{}', ?, ?)`,
			u.ID, u.Username, u.Created.UnixMilli(), u.Created.UnixMilli()); err != nil {
			t.Fatal(err)
		}
	}
	for _, th := range storetest.LegacyThrottles {
		if err := s.Exec(ctx, `INSERT INTO throttles (key, count, window_start, locked_until) VALUES (?, ?, ?, NULL)`, th.Key, th.Count, th.WindowStart.UnixMilli()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate over duplicate usernames: %v", err)
	}
	storetest.CheckSigninMigration(t, s)
}
