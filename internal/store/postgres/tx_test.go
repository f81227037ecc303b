package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/postgres"
	"github.com/opengenauth/genauth/internal/store/sqlstore"
)

// TestInTx: a transaction that sends BEGIN with its first statement commits
// all or nothing whatever that statement is, and leaves its connection
// ready for the next one (the pool has one).
func TestInTx(t *testing.T) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, pgtest.NewDatabase(t), postgres.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Exec(ctx, `CREATE TABLE kv (k text PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(ctx, `INSERT INTO kv VALUES ('old')`); err != nil {
		t.Fatal(err)
	}
	insert := func(c sqlstore.Conn, k string) error {
		_, err := c.Exec(ctx, `INSERT INTO kv VALUES ($1)`, k)
		return err
	}
	batch := func(c sqlstore.Conn, keys ...string) error {
		var stmts []sqlstore.Stmt
		for _, k := range keys {
			stmts = append(stmts, sqlstore.Stmt{Query: `INSERT INTO kv VALUES ($1)`, Args: []any{k}})
		}
		return c.(sqlstore.Batcher).ExecBatch(ctx, stmts)
	}
	errFn := errors.New("fn failed")
	isUnique := func(err error) bool {
		pe, ok := errors.AsType[*pgconn.PgError](err)
		return ok && pe.Code == "23505"
	}
	tests := []struct {
		name    string
		fn      func(sqlstore.Conn) error
		wantErr func(error) bool // nil: none
		want    []string         // the keys stored after old
	}{
		{"nothing", func(sqlstore.Conn) error { return nil }, nil, nil},
		{"exec first", func(c sqlstore.Conn) error { return errors.Join(insert(c, "a"), insert(c, "b")) }, nil, []string{"a", "b"}},
		{"first fails", func(c sqlstore.Conn) error { return insert(c, "old") }, isUnique, nil},
		{"later fails", func(c sqlstore.Conn) error {
			if err := insert(c, "a"); err != nil {
				return err
			}
			return insert(c, "old")
		}, isUnique, nil},
		{"fn fails", func(c sqlstore.Conn) error {
			if err := insert(c, "a"); err != nil {
				return err
			}
			return errFn
		}, func(err error) bool { return err == errFn }, nil},
		{"error swallowed", func(c sqlstore.Conn) error {
			_ = insert(c, "old")
			return nil
		}, func(err error) bool { return errors.Is(err, pgx.ErrTxCommitRollback) }, nil},
		{"query row first", func(c sqlstore.Conn) error {
			var k string
			if err := c.QueryRow(ctx, `SELECT k FROM kv WHERE k = $1 FOR UPDATE`, "old").Scan(&k); err != nil {
				return err
			}
			return insert(c, k+"-2")
		}, nil, []string{"old-2"}},
		{"query row first, no row", func(c sqlstore.Conn) error {
			var k string
			return c.QueryRow(ctx, `SELECT k FROM kv WHERE k = $1`, "none").Scan(&k)
		}, func(err error) bool { return errors.Is(err, pgx.ErrNoRows) }, nil},
		{"query row never scanned", func(c sqlstore.Conn) error {
			c.QueryRow(ctx, `SELECT k FROM kv WHERE k = $1`, "old")
			return insert(c, "a")
		}, nil, []string{"a"}},
		{"query first", func(c sqlstore.Conn) error {
			rows, err := c.Query(ctx, `SELECT k FROM kv`)
			if err != nil {
				return err
			}
			rows.Close()
			return insert(c, "a")
		}, nil, []string{"a"}},
		{"batch first", func(c sqlstore.Conn) error { return batch(c, "a", "b") }, nil, []string{"a", "b"}},
		{"batch fails", func(c sqlstore.Conn) error {
			if err := insert(c, "a"); err != nil {
				return err
			}
			return batch(c, "b", "old")
		}, isUnique, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.InTx(ctx, tt.fn)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("InTx: %v", err)
			case tt.wantErr != nil && !tt.wantErr(err):
				t.Fatalf("InTx: %v, want another error", err)
			}
			rows, err := s.Query(ctx, `SELECT k FROM kv WHERE k <> 'old' ORDER BY k`)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("stored %q, want %q", got, tt.want)
			}
			if err := s.Exec(ctx, `DELETE FROM kv WHERE k <> 'old'`); err != nil {
				t.Fatal(err)
			}
		})
	}
}
