package sqlite

import (
	"context"
	"database/sql"
	"strings"
)

// Test hooks into the connection pools.

func (s *Store) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.read.QueryRowContext(ctx, q, args...)
}

// Pragma reads a pragma on a connection of the "write" or "read" pool.
func (s *Store) Pragma(ctx context.Context, pool, name string) (string, error) {
	db := s.read
	if pool == "write" {
		db = s.write
	}
	var v string
	err := db.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}

// QueryPlan returns the EXPLAIN QUERY PLAN details of q, joined by "; ".
func (s *Store) QueryPlan(ctx context.Context, q string, args ...any) (string, error) {
	rows, err := s.write.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var details []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		details = append(details, detail)
	}
	return strings.Join(details, "; "), rows.Err()
}

// MigrateTo applies the migrations up to and including version, as an older
// GenAuth would have left the database.
func (s *Store) MigrateTo(ctx context.Context, version string) error { return s.migrate(ctx, version) }

// Exec runs a statement on the write connection.
func (s *Store) Exec(ctx context.Context, q string, args ...any) error {
	_, err := s.write.ExecContext(ctx, q, args...)
	return err
}
