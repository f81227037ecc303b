package testserver

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dump returns every row of every table of the server's database, as
// DumpSQLite does, on either backend. On SQLite it keeps one read-only
// connection for the test and reads the tables again only when SQLite's
// data_version says that some other connection committed since the last
// dump: on one connection the value changes with every commit made elsewhere.
func (s *Server) Dump(t testing.TB) map[string][]string {
	t.Helper()
	if s.DBURL != "" {
		return s.dumpPostgres(t)
	}
	s.dumpMu.Lock()
	defer s.dumpMu.Unlock()
	if s.dumpConn == nil {
		db := openReadOnly(t, s.DBPath)
		conn, err := db.Conn(context.Background())
		if err != nil {
			db.Close()
			t.Fatalf("dump: %v", err)
		}
		s.dumpDB, s.dumpConn = db, conn // closed when the server stops
	}
	var version int64
	if err := s.dumpConn.QueryRowContext(t.Context(), "PRAGMA data_version").Scan(&version); err != nil {
		t.Fatalf("dump: data_version: %v", err)
	}
	if s.dumpRows == nil || version != s.dumpVersion {
		s.dumpRows, s.dumpVersion = dump(t, s.dumpConn, s.DBPath), version
	}
	return cloneDump(s.dumpRows)
}

func cloneDump(d map[string][]string) map[string][]string {
	out := make(map[string][]string, len(d))
	for table, rows := range d {
		out[table] = slices.Clone(rows)
	}
	return out
}

// DumpSQLite reads every row of every table of the SQLite database at path,
// through a read-only connection of its own, and returns them by table, each
// row rendered as text and the rows sorted. Two dumps are equal exactly when
// the tables hold the same rows, whatever their physical order; no table is
// left out (the schema_migrations bookkeeping included).
func DumpSQLite(t testing.TB, path string) map[string][]string {
	t.Helper()
	db := openReadOnly(t, path)
	defer db.Close()
	return dump(t, db, path)
}

func openReadOnly(t testing.TB, path string) *sql.DB {
	t.Helper()
	q := url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(10000)"}}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		t.Fatalf("dump: open %s: %v", path, err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// querier is a database or one connection of it.
type querier interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

func dump(t testing.TB, db querier, path string) map[string][]string {
	t.Helper()
	// One transaction: one snapshot of every table, even while the server writes.
	tx, err := db.BeginTx(t.Context(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("dump: begin: %v", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	var tables []string
	rs, err := tx.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatalf("dump: list tables: %v", err)
	}
	for rs.Next() {
		var name string
		if err := rs.Scan(&name); err != nil {
			t.Fatalf("dump: list tables: %v", err)
		}
		tables = append(tables, name)
	}
	if err := rs.Close(); err != nil {
		t.Fatalf("dump: list tables: %v", err)
	}
	if len(tables) == 0 {
		t.Fatalf("dump: %s has no tables", path)
	}
	out := make(map[string][]string, len(tables))
	for _, table := range tables {
		out[table] = dumpTable(t, tx, table)
	}
	return out
}

func dumpTable(t testing.TB, tx *sql.Tx, table string) []string {
	t.Helper()
	rs, err := tx.Query(`SELECT * FROM "` + strings.ReplaceAll(table, `"`, `""`) + `"`)
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	rows := []string{}
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s=%s", cols[i], cell(v))
		}
		rows = append(rows, b.String())
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	slices.Sort(rows)
	return rows
}

// cell renders a column value with its type, so that NULL, the empty string and 0 differ.
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return fmt.Sprintf("x'%x'", v)
	case string:
		return fmt.Sprintf("%q", v)
	default:
		return fmt.Sprintf("%v", v)
	}
}
