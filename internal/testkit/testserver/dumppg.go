package testserver

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// dumpPostgres is Dump on PostgreSQL. It keeps one connection for the test
// and reads the tables again only when the snapshot has changed since the
// last dump: two equal snapshots see the same committed transactions, so the
// same rows. (Other databases of the cluster move it too; that only costs a
// dump.)
func (s *Server) dumpPostgres(t testing.TB) map[string][]string {
	t.Helper()
	s.dumpMu.Lock()
	defer s.dumpMu.Unlock()
	if s.dumpPG == nil {
		conn, err := pgx.Connect(t.Context(), s.DBURL)
		if err != nil {
			t.Fatalf("dump: %v", err)
		}
		s.dumpPG = conn // closed when the server stops
	}
	tx, err := s.dumpPG.BeginTx(t.Context(), pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatalf("dump: begin: %v", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // read-only
	var snapshot string
	if err := tx.QueryRow(t.Context(), `SELECT pg_current_snapshot()::text`).Scan(&snapshot); err != nil {
		t.Fatalf("dump: snapshot: %v", err)
	}
	if s.dumpRows == nil || snapshot != s.dumpSnapshot {
		s.dumpRows, s.dumpSnapshot = dumpPostgres(t, tx), snapshot
	}
	return cloneDump(s.dumpRows)
}

// DumpPostgres is DumpSQLite for the PostgreSQL database at dbURL: every row
// of every table of its schema (schema_migrations included), read in one
// read-only repeatable-read transaction, so one snapshot even while the
// server writes.
func DumpPostgres(t testing.TB, dbURL string) map[string][]string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatalf("dump: %v", err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(t.Context(), pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatalf("dump: begin: %v", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // read-only
	return dumpPostgres(t, tx)
}

func dumpPostgres(t testing.TB, tx pgx.Tx) map[string][]string {
	t.Helper()
	ctx := t.Context()
	rs, err := tx.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		t.Fatalf("dump: list tables: %v", err)
	}
	tables, err := pgx.CollectRows(rs, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("dump: list tables: %v", err)
	}
	if len(tables) == 0 {
		t.Fatalf("dump: the database has no tables")
	}
	out := make(map[string][]string, len(tables))
	for _, table := range tables {
		out[table] = dumpPostgresTable(t, tx, table)
	}
	return out
}

func dumpPostgresTable(t testing.TB, tx pgx.Tx, table string) []string {
	t.Helper()
	rs, err := tx.Query(t.Context(), `SELECT * FROM `+pgx.Identifier{table}.Sanitize())
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rs.Close()
	fields := rs.FieldDescriptions()
	rows := []string{}
	for rs.Next() {
		vals, err := rs.Values()
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s=%s", fields[i].Name, cell(v))
		}
		rows = append(rows, b.String())
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	slices.Sort(rows)
	return rows
}
