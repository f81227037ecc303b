package postgres_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/postgres"
	"github.com/opengenauth/genauth/internal/store/storetest"
)

// open returns a migrated store on a fresh database, closed when the test ends.
func open(t testing.TB) *postgres.Store {
	t.Helper()
	return openURL(t, pgtest.NewDatabase(t))
}

func openURL(t testing.TB, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// A PostgreSQL store implements every consumer's store interface.
var _ storetest.Store = (*postgres.Store)(nil)

// TestConformance gives each of the suite's stores its own schema in one
// database: a database per store would cost half a second each.
func TestConformance(t *testing.T) {
	db := pgtest.NewDatabase(t)
	storetest.Run(t, func(t *testing.T) storetest.Store { return openURL(t, pgtest.NewSchema(t, db)) })
}

// countMigrations returns how many rows schema_migrations holds.
func countMigrations(t *testing.T, url string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func migrationFiles(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migration files: %v", err)
	}
	return len(files)
}

func TestMigrateTwice(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s := openURL(t, url)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if n, want := countMigrations(t, url), migrationFiles(t); n != want {
		t.Errorf("schema_migrations has %d rows, want one per migration file (%d)", n, want)
	}
}

// TestMigrateConcurrently migrates one empty database from many pools at
// once, as nodes starting together do: the advisory lock makes them take
// turns, so none fails on a half-created schema or a duplicate version.
func TestMigrateConcurrently(t *testing.T) {
	url := pgtest.NewDatabase(t)
	stores := make([]*postgres.Store, 8)
	for i := range stores {
		s, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: 2})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	errs := make([]error, len(stores))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			<-start
			errs[i] = s.Migrate(t.Context())
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate %d: %v", i, err)
		}
	}
	if n, want := countMigrations(t, url), migrationFiles(t); n != want {
		t.Errorf("schema_migrations has %d rows, want one per migration file (%d)", n, want)
	}
	// Every pool sees the finished schema.
	for i, s := range stores {
		if _, err := s.ListApplications(t.Context()); err != nil {
			t.Errorf("store %d after migrating: %v", i, err)
		}
	}
}

func TestMigrated(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, want := range []bool{false, true} {
		if want {
			if err := s.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Migrated(t.Context())
		if err != nil || got != want {
			t.Errorf("Migrated = %v, %v; want %v", got, err, want)
		}
	}
}

// TestWithLock checks that WithLock admits one caller at a time.
func TestWithLock(t *testing.T) {
	url := pgtest.NewDatabase(t)
	stores := []*postgres.Store{openURL(t, url), openURL(t, url)}
	var (
		mu           sync.Mutex
		inside, most int
		wg           sync.WaitGroup
	)
	for i := range 6 {
		wg.Go(func() {
			err := stores[i%2].WithLock(t.Context(), func() error {
				mu.Lock()
				inside++
				most = max(most, inside)
				mu.Unlock()
				// A round trip while holding the lock gives others time to collide.
				_, err := stores[i%2].ListApplications(t.Context())
				mu.Lock()
				inside--
				mu.Unlock()
				return err
			})
			if err != nil {
				t.Errorf("WithLock: %v", err)
			}
		})
	}
	wg.Wait()
	if most != 1 {
		t.Errorf("%d callers held the lock at once, want 1", most)
	}
	want := errors.New("from fn")
	if err := stores[0].WithLock(t.Context(), func() error { return want }); !errors.Is(err, want) {
		t.Errorf("WithLock = %v, want fn's error", err)
	}
}

// TestConflictNamesField checks that a unique violation says which value is
// taken, without SQL.
func TestConflictNamesField(t *testing.T) {
	s := open(t)
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

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name, url string
		opts      postgres.Options
	}{
		{"not a URL", "postgres://user:hunter2@[::1", postgres.Options{}},
		{"negative pool size", "postgres://user:hunter2@127.0.0.1/x", postgres.Options{MaxConns: -1}},
		{"unknown database", pgtest.NewDatabase(t) + "_missing", postgres.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := postgres.Open(t.Context(), tt.url, tt.opts)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:secret@db:5432/genauth?sslmode=require", "postgres://u:xxxxx@db:5432/genauth?sslmode=require"},
		{"postgres://u@db/genauth?password=secret", "postgres://u@db/genauth?password=xxxxx"},
		{"postgres://db/genauth", "postgres://db/genauth"},
		{"host=db password=secret", "(unparsable URL)"},
	}
	for _, tt := range tests {
		if got := postgres.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestStatementTimeout checks that Options reach the server.
func TestStatementTimeout(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: 3, StatementTimeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Setting(t.Context(), "statement_timeout")
	if err != nil || got != "1500ms" {
		t.Errorf("statement_timeout = %q, %v; want 1500ms", got, err)
	}
}

// TestMigrateDuplicateUsernames migrates a database whose users differ only
// in the case, width or spacing of their usernames, as GenAuth allowed before
// 0006_signin.sql: the migration succeeds and merges or renames nobody.
func TestMigrateDuplicateUsernames(t *testing.T) {
	s, err := postgres.Open(t.Context(), pgtest.NewDatabase(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()
	if err := s.MigrateTo(ctx, "0005_security.sql"); err != nil {
		t.Fatal(err)
	}
	for _, u := range storetest.LegacyUsers {
		if err := s.Exec(ctx, `INSERT INTO users (id, username, email_verified, phone_verified, password_hash, name,
			given_name, family_name, middle_name, nickname, preferred_username, profile, picture, website, gender,
			birthdate, zoneinfo, locale, address, created_at, updated_at)
			VALUES ($1, $2, false, false, '', '', '', '', '', '', '', '', '', '', 'U', '', '', '', '{}', $3, $3)`,
			u.ID, u.Username, u.Created); err != nil {
			t.Fatal(err)
		}
	}
	for _, th := range storetest.LegacyThrottles {
		if err := s.Exec(ctx, `INSERT INTO throttles (key, count, window_start, locked_until) VALUES ($1, $2, $3, NULL)`, th.Key, th.Count, th.WindowStart); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate over duplicate usernames: %v", err)
	}
	storetest.CheckSigninMigration(t, s)
}
