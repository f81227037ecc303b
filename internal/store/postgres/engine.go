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

var _ sqlstore.Engine = engine{}

func (e engine) Reader() sqlstore.Conn { return pgConn{e.s.pool} }

func (e engine) Writer() sqlstore.Conn { return pgConn{e.s.pool} }

func (e engine) InTx(ctx context.Context, fn func(sqlstore.Conn) error) error {
	return e.s.inTx(ctx, func(tx pgx.Tx) error { return fn(pgConn{tx}) })
}

func (engine) Time(t time.Time) any { return t }

func (engine) List(v []string) any { return list(v) }

func (engine) ListDest(v *[]string) any { return v }

func (engine) Err(op string, err error) error { return mapErr(op, err) }

func (engine) RowOrder() string { return "seq" }

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
