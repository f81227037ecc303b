package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/opengenauth/genauth/internal/store/sqlstore"
)

// ExecBatch sends stmts in one round trip. A pipeline ends in one Sync, so
// the server runs them in one implicit transaction: an error undoes them all.
func (e engine) ExecBatch(ctx context.Context, stmts []sqlstore.Stmt) error {
	if len(stmts) == 1 {
		_, err := e.s.pool.Exec(ctx, stmts[0].Query, stmts[0].Args...)
		return err
	}
	b := &pgx.Batch{}
	for _, st := range stmts {
		b.Queue(st.Query, st.Args...)
	}
	return e.s.pool.SendBatch(ctx, b).Close()
}

// inLazyTx runs fn in a READ COMMITTED transaction and commits it when fn
// returns nil, as inTx does, but sends BEGIN with fn's first statement: a
// round trip fewer for every transaction (see lazyTx).
func (s *Store) inLazyTx(ctx context.Context, fn func(sqlstore.Conn) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A connection still in a transaction here (fn panicked, a rollback
	// failed) is closed by Release, which ends the transaction on the server.
	defer conn.Release()
	t := &lazyTx{c: conn}
	if err := fn(t); err != nil {
		_ = t.end(ctx, "ROLLBACK")
		return err
	}
	return t.end(ctx, "COMMIT")
}

// lazyTx is a transaction that begins with its first statement: an Exec or
// a QueryRow goes out in one pipeline after BEGIN; a Query (rows read as
// they come) sends BEGIN alone first.
type lazyTx struct {
	c       *pgxpool.Conn
	begun   bool
	pending pgx.BatchResults // BEGIN and a QueryRow whose row is still to be read
}

func (t *lazyTx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if err := t.settle(); err != nil {
		return 0, err
	}
	if t.begun {
		tag, err := t.c.Exec(ctx, query, args...)
		return tag.RowsAffected(), err
	}
	t.begun = true
	br := t.begin(ctx, query, args)
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag.RowsAffected(), err
}

// ExecBatch sends stmts in one pipeline, after BEGIN if the transaction is
// still to begin. An error aborts the transaction, which then rolls back.
func (t *lazyTx) ExecBatch(ctx context.Context, stmts []sqlstore.Stmt) error {
	if err := t.settle(); err != nil {
		return err
	}
	b := &pgx.Batch{}
	if !t.begun {
		t.begun = true
		b.Queue("BEGIN")
	}
	for _, st := range stmts {
		b.Queue(st.Query, st.Args...)
	}
	return t.c.SendBatch(ctx, b).Close()
}

func (t *lazyTx) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	if err := t.settle(); err != nil {
		return errRow{err}
	}
	if t.begun {
		return t.c.QueryRow(ctx, query, args...)
	}
	t.begun = true
	t.pending = t.begin(ctx, query, args)
	return pendingRow{t, t.pending.QueryRow()}
}

func (t *lazyTx) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	if err := t.settle(); err != nil {
		return nil, err
	}
	if !t.begun {
		t.begun = true
		if _, err := t.c.Exec(ctx, "BEGIN"); err != nil {
			return nil, err
		}
	}
	return t.c.Query(ctx, query, args...)
}

// begin sends BEGIN and the first statement in one pipeline, and returns
// the statement's result to read (BEGIN's is read here).
func (t *lazyTx) begin(ctx context.Context, query string, args []any) pgx.BatchResults {
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(query, args...)
	br := t.c.SendBatch(ctx, b)
	// BEGIN's error, if any, is the statement's too: the batch stops there.
	_, _ = br.Exec()
	return br
}

// settle reads what is left of a pending pipeline, so that the connection
// is free for the next statement.
func (t *lazyTx) settle() error {
	if t.pending == nil {
		return nil
	}
	err := t.pending.Close()
	t.pending = nil
	return err
}

// end commits or rolls back a begun transaction. A commit of a transaction
// an error aborted rolls it back: that is an error too.
func (t *lazyTx) end(ctx context.Context, cmd string) error {
	err := t.settle()
	if !t.begun {
		return err
	}
	tag, endErr := t.c.Exec(ctx, cmd)
	if endErr != nil {
		return errors.Join(err, endErr)
	}
	if cmd == "COMMIT" && tag.String() == "ROLLBACK" {
		return errors.Join(err, pgx.ErrTxCommitRollback)
	}
	return err
}

// pendingRow is a QueryRow's row read from a lazyTx's first pipeline.
type pendingRow struct {
	t   *lazyTx
	row pgx.Row
}

func (r pendingRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if serr := r.t.settle(); err == nil {
		err = serr
	}
	return err
}

// errRow is a row that failed before it was sent.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

var (
	_ sqlstore.Batcher = engine{}
	_ sqlstore.Conn    = (*lazyTx)(nil)
	_ sqlstore.Batcher = (*lazyTx)(nil)
)
