package sqlstore

import (
	"context"
	"time"
)

// Row is one result row.
type Row interface{ Scan(dest ...any) error }

// Rows is a result set; Close may be called more than once.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Conn runs statements, on the engine's connections or inside a
// transaction. Queries use $N placeholders.
type Conn interface {
	QueryRow(ctx context.Context, query string, args ...any) Row
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// Exec returns the number of rows the statement changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
}

// Engine is what a backend gives the shared queries.
type Engine interface {
	// Reader runs reads outside a transaction; Writer runs single writes.
	Reader() Conn
	Writer() Conn
	// InTx runs fn in a write transaction and commits it when fn returns
	// nil. Row locks (FOR UPDATE) hold until the end of it.
	InTx(ctx context.Context, fn func(Conn) error) error
	// Time is t as the engine stores it (read back through TimeDest).
	Time(t time.Time) any
	// List is v as the engine stores a list column, ListDest a scan
	// destination for one (an empty list may come back empty or nil).
	List(v []string) any
	ListDest(v *[]string) any
	// Err turns a driver error into the model's sentinels and wraps the rest
	// with op, so no SQL reaches callers.
	Err(op string, err error) error
	// InsertOrder is the column that orders a table's rows as they were
	// inserted, which breaks ties between rows listed by a time: SQLite's
	// rowid, PostgreSQL's seq identity column (on the tables listed so:
	// applications, users, login_history). A column name cannot be one SQL
	// text for both, and ordering by anything else would change the order
	// of ties and lose PostgreSQL's (created_at, seq) indexes.
	InsertOrder() string
}

// Copier is an Engine that loads many rows at once faster than INSERT
// (PostgreSQL's COPY). The audit trail's batches go through it when the
// engine has one: a benchmark showed multi-row INSERTs holding pool
// connections long enough to slow token issuance on PostgreSQL.
type Copier interface {
	// CopyRows stores rows, each holding columns' values in order, all or none.
	CopyRows(ctx context.Context, table string, columns []string, rows [][]any) error
}

// Grouper is an Engine that can share one transaction among concurrent
// callers (SQLite's group commit): with one writer, a commit per caller made
// short write transactions queue.
type Grouper interface {
	// InGroupTx runs fn as InTx does, maybe in one transaction with other
	// callers' functions, each in its own savepoint: fn's error undoes only
	// fn's statements and is returned to its caller alone. It returns nil
	// only once the commit holding fn's writes is done.
	InGroupTx(ctx context.Context, fn func(Conn) error) error
}

// Stmt is one statement and its arguments.
type Stmt struct {
	Query string
	Args  []any
}

// Batcher is an Engine or a Conn that sends several writes in one round
// trip (PostgreSQL's pipeline): writes whose results nobody reads need no
// answer in between. An Engine's runs them in one transaction of their own,
// all or none; a transaction's Conn's as part of that transaction.
type Batcher interface {
	// ExecBatch runs stmts in order and returns the first error.
	ExecBatch(ctx context.Context, stmts []Stmt) error
}
