package postgres

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
)

// PoolStats reports the pgx pool. Waits are acquisitions that found no idle
// connection.
func (s *Store) PoolStats() []model.PoolStats {
	st := s.pool.Stat()
	return []model.PoolStats{{Pool: "postgres", MaxOpen: int(st.MaxConns()), Open: int(st.TotalConns()),
		InUse: int(st.AcquiredConns()), Idle: int(st.IdleConns()),
		WaitCount: st.EmptyAcquireCount(), WaitDuration: st.EmptyAcquireWaitTime()}}
}

func knownMigrations() ([]string, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, "migrations/")
	}
	return names, nil
}

func (s *Store) appliedMigrations(ctx context.Context) ([]string, error) {
	ok, err := s.Migrated(ctx)
	if err != nil || !ok {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// PendingMigrations lists the embedded migrations not applied yet.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	known, err := knownMigrations()
	if err != nil {
		return nil, err
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	var pending []string
	for _, v := range known {
		if !slices.Contains(applied, v) {
			pending = append(pending, v)
		}
	}
	return pending, nil
}

// UnknownMigrations lists applied migrations this binary does not embed.
func (s *Store) UnknownMigrations(ctx context.Context) ([]string, error) {
	known, err := knownMigrations()
	if err != nil {
		return nil, err
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for _, v := range applied {
		if !slices.Contains(known, v) {
			unknown = append(unknown, v)
		}
	}
	return unknown, nil
}

// ServerTime is the database server's clock, to compare with this node's:
// every node's tokens and sessions expire by its own clock.
func (s *Store) ServerTime(ctx context.Context) (time.Time, error) {
	var t time.Time
	if err := s.pool.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("postgres: %w", err)
	}
	return t, nil
}
