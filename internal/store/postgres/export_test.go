package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/store/sqlstore"
)

// Setting returns a run-time parameter as a pooled connection sees it.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT current_setting($1)`, name).Scan(&v)
	return v, err
}

// MigrateTo applies the migrations up to and including version, as an older
// GenAuth would have left the database.
func (s *Store) MigrateTo(ctx context.Context, version string) error { return s.migrate(ctx, version) }

// Exec runs a statement on a pooled connection.
func (s *Store) Exec(ctx context.Context, q string, args ...any) error {
	_, err := s.pool.Exec(ctx, q, args...)
	return err
}

// InTx runs fn in a transaction as the shared queries' InTx does.
func (s *Store) InTx(ctx context.Context, fn func(sqlstore.Conn) error) error {
	return engine{s}.InTx(ctx, fn)
}

// Query runs a query on a pooled connection.
func (s *Store) Query(ctx context.Context, q string, args ...any) (pgx.Rows, error) {
	return s.pool.Query(ctx, q, args...)
}
