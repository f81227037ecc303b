package sqlstore

import "context"

// Store implements the storage operations both SQL backends share on top of
// an Engine. The backends embed it.
type Store struct {
	e Engine
}

// New returns a Store running its queries on e.
func New(e Engine) *Store { return &Store{e: e} }

// collect scans every row of a query with scan, closing the rows.
func collect[T any](ctx context.Context, c Conn, scan func(Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := c.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// groupTx runs fn as InTx does, through the engine's Grouper if it has one.
// Only a transaction as short as a few inserts belongs here: a batch holds
// every caller in it until the last one is done.
func (s *Store) groupTx(ctx context.Context, fn func(Conn) error) error {
	if g, ok := s.e.(Grouper); ok {
		return g.InGroupTx(ctx, fn)
	}
	return s.e.InTx(ctx, fn)
}

// groupExec runs one write statement, through the engine's Grouper if it has
// one: elsewhere a statement alone needs no transaction around it.
func (s *Store) groupExec(ctx context.Context, query string, args ...any) error {
	if g, ok := s.e.(Grouper); ok {
		return g.InGroupTx(ctx, func(c Conn) error {
			_, err := c.Exec(ctx, query, args...)
			return err
		})
	}
	_, err := s.e.Writer().Exec(ctx, query, args...)
	return err
}

// execAll runs stmts in order, all or none: in one round trip through the
// engine's Batcher if it has one, else through groupTx.
func (s *Store) execAll(ctx context.Context, stmts []Stmt) error {
	if b, ok := s.e.(Batcher); ok {
		return b.ExecBatch(ctx, stmts)
	}
	return s.groupTx(ctx, func(c Conn) error { return execIn(ctx, c, stmts) })
}

// execIn runs stmts in order on c, in one round trip if c is a Batcher.
func execIn(ctx context.Context, c Conn, stmts []Stmt) error {
	if b, ok := c.(Batcher); ok && len(stmts) > 1 {
		return b.ExecBatch(ctx, stmts)
	}
	for _, st := range stmts {
		if _, err := c.Exec(ctx, st.Query, st.Args...); err != nil {
			return err
		}
	}
	return nil
}
