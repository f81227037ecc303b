package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmtCache holds prepared statements by query text. database/sql prepares
// a cached statement once per connection and reuses it after, so the hot
// queries skip SQLite's parser, which was a third of a token lookup's time.
// Only constant query strings may go through it: it never forgets one.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query string → *sql.Stmt
	// pending are queries first met inside a transaction. The write pool's
	// one connection is the transaction's then, so preparing on the pool
	// would wait forever; they are prepared when the transaction is over.
	pending sync.Map // query string → struct{}
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
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

// quick detaches the context of a statement that takes microseconds from
// its cancellation. With a cancellable context, database/sql and the
// driver each start a goroutine per query to watch it, which cost more
// than the primary-key lookups they would interrupt. A statement that waits
// for another process's lock is still bounded by busy_timeout.
func quick(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// errRow is a row whose query could not even be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// readRow runs a single-row query on the read pool with a cached statement.
func (s *Store) readRow(ctx context.Context, query string, args ...any) scanner {
	ctx = quick(ctx)
	st, err := s.reads.get(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// writeExec runs a statement on the write connection with a cached statement.
func (s *Store) writeExec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = quick(ctx)
	st, err := s.writes.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// txStmt returns the cached statement for query bound to tx, or the first
// time a statement prepared for tx alone; the transaction closes it.
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	ctx = quick(ctx)
	if st, ok := s.writes.m.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt)), nil
	}
	s.writes.pending.Store(query, struct{}{})
	return tx.PrepareContext(ctx, query)
}

// txRow runs a single-row query in tx with a cached statement.
func (s *Store) txRow(ctx context.Context, tx *sql.Tx, query string, args ...any) scanner {
	st, err := s.txStmt(ctx, tx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(quick(ctx), args...)
}

// txExec runs a statement in tx with a cached statement.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	st, err := s.txStmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(quick(ctx), args...)
}
