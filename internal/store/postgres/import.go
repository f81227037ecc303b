package postgres

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/store/sqlstore"
	"github.com/opengenauth/genauth/internal/store/storecopy"
)

// Import loads every row of src into this migrated, empty database in one
// transaction: all of it or nothing. A database holding any row gives
// storecopy.ErrNotEmpty. The tables are locked against writers for the
// duration, so two imports cannot both find the database empty. The tables
// and their values are sqlstore's (CopyTables); COPY is PostgreSQL's own.
func (s *Store) Import(ctx context.Context, src storecopy.Source) (storecopy.Counts, error) {
	var n storecopy.Counts
	copies := s.CopyTables(ctx, src, &n)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		names := make([]string, len(copies))
		for i, c := range copies {
			names[i] = c.Name
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		for _, c := range copies {
			var nonEmpty bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+c.Name+`)`).Scan(&nonEmpty); err != nil {
				return err
			}
			if nonEmpty {
				return fmt.Errorf("%w (it holds %s)", storecopy.ErrNotEmpty, strings.ReplaceAll(c.Name, "_", " "))
			}
		}
		for _, c := range copies {
			var err error
			if *c.Count, err = copyRows(ctx, tx, c); err != nil {
				return fmt.Errorf("copying %s: %w", strings.ReplaceAll(c.Name, "_", " "), err)
			}
		}
		return nil
	})
	if err != nil {
		return storecopy.Counts{}, mapErr("import", err)
	}
	return n, nil
}

// copyRows streams c's rows into its table with COPY, without holding them
// all in memory.
func copyRows(ctx context.Context, tx pgx.Tx, c sqlstore.CopyTable) (int64, error) {
	next, stop := iter.Pull2(c.Rows)
	defer stop()
	return tx.CopyFrom(ctx, pgx.Identifier{c.Name}, strings.Fields(strings.ReplaceAll(c.Columns, ",", " ")),
		pgx.CopyFromFunc(func() ([]any, error) {
			v, err, ok := next()
			if !ok {
				return nil, nil
			}
			return v, err
		}))
}
