package sqlite

import (
	"context"

	"github.com/opengenauth/genauth/internal/store/storecopy"
)

// Export calls fn with a storecopy.Source (sqlstore's) over one read
// transaction, so that every table is read from the same snapshot even while
// a server writes. Rows come in insertion order (rowid).
func (s *Store) Export(ctx context.Context, fn func(storecopy.Source) error) error {
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return mapErr("export", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	// Each export statement runs once: a cache of its own, never consulted again.
	return fn(s.Source(txConn{tx, &stmtCache{}}))
}
