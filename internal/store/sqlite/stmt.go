package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/opengenauth/genauth/internal/store/sqlstore"
)

// maxCached bounds the prepared statements a pool keeps. The shared queries
// are constant strings and met first; queries built at run time (user
// filters, IN lists) could otherwise grow the cache without end, so past
// the bound a query runs unprepared.
const maxCached = 512

// stmtCache holds prepared statements by query text. database/sql prepares
// a cached statement once per connection and reuses it after, so the hot
// queries skip SQLite's parser, which was a third of a token lookup's time.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query string → *sql.Stmt
	n  atomic.Int64
	// pending are queries first met inside a transaction. The write pool's
	// one connection is the transaction's then, so preparing on the pool
	// would wait forever; they are prepared when the transaction is over.
	pending sync.Map // query string → struct{}
}

// get returns the statement for query, or nil once the cache is full.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	if c.n.Load() >= maxCached {
		return nil, nil
	}
	st, err := c.db.PrepareContext(ctx, sqliteText(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	c.n.Add(1)
	return st, nil
}

// preparePending prepares the queries met in transactions; a failure
// leaves the query to be met again.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.pending.Range(func(q, _ any) bool {
		c.pending.Delete(q)
		_, _ = c.get(ctx, q.(string))
		return true
	})
}

func (c *stmtCache) close() error {
	var errs []error
	c.m.Range(func(_, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		return true
	})
	return errors.Join(errs...)
}

// sqliteText is a shared query (see sqlstore) as SQLite reads it: $N
// placeholders become ?N, which bind by number as $N does in PostgreSQL,
// and row locks go (with SKIP LOCKED, which has nothing left to skip), since
// a SQLite write transaction holds the whole database's write lock from its
// start (BEGIN IMMEDIATE) and a single write statement holds it throughout.
func sqliteText(q string) string {
	if !strings.ContainsAny(q, "$F") {
		return q
	}
	q = strings.ReplaceAll(q, " FOR UPDATE", "")
	q = strings.ReplaceAll(q, " FOR SHARE", "")
	q = strings.ReplaceAll(q, " SKIP LOCKED", "")
	var b strings.Builder
	b.Grow(len(q))
	for i := 0; i < len(q); i++ {
		if q[i] == '$' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9' {
			b.WriteByte('?')
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// quick detaches the context of a statement that takes microseconds from
// its cancellation. With a cancellable context, database/sql and the
// driver each start a goroutine per query to watch it, which cost more
// than the primary-key lookups they would interrupt. A statement that waits
// for another process's lock is still bounded by busy_timeout.
func quick(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// errRow is a row whose query could not even be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// poolConn runs statements on a pool with its cached statements.
type poolConn struct {
	db    *sql.DB
	cache *stmtCache
}

func (c poolConn) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	ctx = quick(ctx)
	st, err := c.cache.get(ctx, query)
	switch {
	case err != nil:
		return errRow{err}
	case st == nil:
		return c.db.QueryRowContext(ctx, sqliteText(query), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (c poolConn) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	st, err := c.cache.get(quick(ctx), query)
	if err != nil {
		return nil, err
	}
	var rows *sql.Rows
	if st == nil {
		rows, err = c.db.QueryContext(ctx, sqliteText(query), args...)
	} else {
		rows, err = st.QueryContext(ctx, args...)
	}
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (c poolConn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	ctx = quick(ctx)
	st, err := c.cache.get(ctx, query)
	if err != nil {
		return 0, err
	}
	var res sql.Result
	if st == nil {
		res, err = c.db.ExecContext(ctx, sqliteText(query), args...)
	} else {
		res, err = st.ExecContext(ctx, args...)
	}
	return affected(res, err)
}

// txConn runs statements in a write transaction, with the write pool's
// cached statements bound to it.
type txConn struct {
	tx    *sql.Tx
	cache *stmtCache
}

// stmt returns the cached statement for query bound to the transaction, or
// the first time a statement prepared for it alone, which the transaction
// closes.
func (c txConn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.cache.m.Load(query); ok {
		return c.tx.StmtContext(ctx, st.(*sql.Stmt)), nil
	}
	if c.cache.n.Load() < maxCached {
		c.cache.pending.Store(query, struct{}{})
	}
	return c.tx.PrepareContext(ctx, sqliteText(query))
}

func (c txConn) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	ctx = quick(ctx)
	st, err := c.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

func (c txConn) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	ctx = quick(ctx)
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (c txConn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	ctx = quick(ctx)
	st, err := c.stmt(ctx, query)
	if err != nil {
		return 0, err
	}
	return affected(st.ExecContext(ctx, args...))
}

func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// sqlRows adapts *sql.Rows to sqlstore.Rows; a Close error also shows in Err.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }
