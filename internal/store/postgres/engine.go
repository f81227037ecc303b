package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/opengenauth/genauth/internal/store/sqlstore"
)

// engine is what the shared queries (sqlstore) need of PostgreSQL: the pool
// for reads and writes, READ COMMITTED transactions, times as timestamptz
// and lists as text[].
type engine struct{ s *Store }

var (
	_ sqlstore.Engine = engine{}
	_ sqlstore.Copier = engine{}
)

func (e engine) Reader() sqlstore.Conn { return pgConn{e.s.pool} }

func (e engine) Writer() sqlstore.Conn { return pgConn{e.s.pool} }

func (e engine) InTx(ctx context.Context, fn func(sqlstore.Conn) error) error {
	return e.s.inLazyTx(ctx, fn)
}

func (engine) Time(t time.Time) any { return t }

func (engine) List(v []string) any { return list(v) }

func (engine) ListDest(v *[]string) any { return v }

func (engine) Err(op string, err error) error { return mapErr(op, err) }

// InsertOrder is seq, the identity column that stands in for SQLite's rowid.
func (engine) InsertOrder() string { return "seq" }

// CopyRows loads rows with COPY, one round trip for the lot.
func (e engine) CopyRows(ctx context.Context, table string, columns []string, rows [][]any) error {
	_, err := e.s.pool.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
	return err
}

// querier is what the pool and a transaction share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgConn runs shared queries on the pool or in a transaction.
type pgConn struct{ q querier }

func (c pgConn) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return c.q.QueryRow(ctx, query, args...)
}

func (c pgConn) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return c.q.Query(ctx, query, args...)
}

func (c pgConn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := c.q.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}
