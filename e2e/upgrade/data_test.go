package upgrade_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"github.com/opengenauth/genauth/e2e/upgrade"
)

// The fixture is re-dated so that the old release seems to have stopped
// this long ago: past the refresh grace period, well inside every lifetime.
const stoppedAgo = 10 * time.Minute

// shiftFor returns how far to move the fixture's times, in whole seconds.
func shiftFor(madeAt time.Time) time.Duration {
	return time.Now().Add(-stoppedAgo).Truncate(time.Second).Sub(madeAt).Truncate(time.Second)
}

// sqliteTimeColumn says whether a column of the old SQLite schema holds a
// time (INTEGER unix milliseconds; 0 or NULL for "never").
func sqliteTimeColumn(name string) bool {
	switch name {
	case "time", "auth_time", "last_login", "window_start", "locked_until":
		return true
	}
	return strings.HasSuffix(name, "_at")
}

// redateSQLite moves every stored time of the SQLite database at path by
// shift.
func redateSQLite(t *testing.T, path string, shift time.Duration) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT t.name, c.name FROM sqlite_master t, pragma_table_info(t.name) c
		WHERE t.type = 'table' AND c.type = 'INTEGER'`)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		if sqliteTimeColumn(col) {
			cols = append(cols, [2]string{table, col})
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cols) < 20 {
		t.Fatalf("found only %d time columns in the fixture: %v", len(cols), cols)
	}
	for _, c := range cols {
		q := fmt.Sprintf(`UPDATE %q SET %q = %[2]q + ? WHERE %[2]q > 0`, c[0], c[1])
		if _, err := db.Exec(q, shift.Milliseconds()); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// newPostgresDatabase creates an empty database and returns its URL; it is
// dropped when the test ends. An unreachable server skips the test, or fails
// it under CI=true (as internal/store/postgres/pgtest does).
func newPostgresDatabase(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, upgrade.PostgresServer())
	if err != nil {
		reason := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
		redacted := "(unparsable URL)"
		if u, err := url.Parse(upgrade.PostgresServer()); err == nil {
			redacted = u.Redacted()
		}
		msg := fmt.Sprintf("PostgreSQL unreachable at %s (set GENAUTH_TEST_POSTGRES_URL): %s", redacted, reason)
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI=true requires PostgreSQL", msg)
		}
		t.Skipf("skipping the upgrade of the PostgreSQL fixture: %s", msg)
	}
	defer admin.Close(context.Background())
	name := "genauth_test_" + strings.ToLower(rand.Text()[:16])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, upgrade.PostgresServer())
		if err != nil {
			t.Errorf("dropping %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	u, err := url.Parse(upgrade.PostgresServer())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// loadPostgres runs the dump (plain SQL) in the database at dbURL and moves
// every stored time (each timestamptz column) by shift.
func loadPostgres(t *testing.T, dbURL string, dump []byte, shift time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// Without arguments pgx sends the text as one simple query, which may
	// hold many statements.
	if _, err := conn.Exec(ctx, string(dump)); err != nil {
		t.Fatalf("loading the dump: %v", err)
	}
	rows, err := conn.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'timestamp with time zone'`)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, [2]string{table, col})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cols) < 20 {
		t.Fatalf("found only %d time columns in the dump: %v", len(cols), cols)
	}
	for _, c := range cols {
		q := fmt.Sprintf(`UPDATE public.%q SET %q = %[2]q + make_interval(secs => $1)`, c[0], c[1])
		if _, err := conn.Exec(ctx, q, shift.Seconds()); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
