package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// PoolStats reports the writer and the reader pools.
func (s *Store) PoolStats() []model.PoolStats {
	return []model.PoolStats{poolStats("write", s.write.Stats()), poolStats("read", s.read.Stats())}
}

func poolStats(name string, st sql.DBStats) model.PoolStats {
	return model.PoolStats{Pool: name, MaxOpen: st.MaxOpenConnections, Open: st.OpenConnections,
		InUse: st.InUse, Idle: st.Idle, WaitCount: st.WaitCount, WaitDuration: st.WaitDuration}
}

// knownMigrations are the embedded migrations' versions, in order.
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

// appliedMigrations reads schema_migrations; a database without it has none.
func appliedMigrations(ctx context.Context, db *sql.DB) ([]string, error) {
	var exists int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return nil, err
	}
	if exists == 0 {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// PendingMigrations lists the embedded migrations not applied yet.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	known, err := knownMigrations()
	if err != nil {
		return nil, err
	}
	applied, err := appliedMigrations(ctx, s.read)
	if err != nil {
		return nil, mapErr("read migrations", err)
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
	applied, err := appliedMigrations(ctx, s.read)
	if err != nil {
		return nil, mapErr("read migrations", err)
	}
	var unknown []string
	for _, v := range applied {
		if !slices.Contains(known, v) {
			unknown = append(unknown, v)
		}
	}
	return unknown, nil
}

// NewestTime is the latest creation time stored in the sessions, tokens,
// authorization codes, users and audit events: a clock that has gone back
// puts it in the future. Zero when the database holds none.
func (s *Store) NewestTime(ctx context.Context) (time.Time, error) {
	var ms sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT max(t) FROM (
		SELECT max(created_at) AS t FROM sessions
		UNION ALL SELECT max(issued_at) FROM tokens
		UNION ALL SELECT max(created_at) FROM auth_codes
		UNION ALL SELECT max(created_at) FROM users
		UNION ALL SELECT max(time) FROM audit_events)`).Scan(&ms)
	if err != nil {
		return time.Time{}, mapErr("newest time", err)
	}
	return fromNullMS(ms), nil
}

// Backup writes a consistent copy of the database to path with VACUUM INTO:
// one read transaction, so writers (in this process or another) carry on
// while it runs and none of their later commits is half in the copy. The
// file is made with mode 0600 (it holds hashes and sealed keys) and must not
// exist; a failed backup leaves nothing behind.
func (s *Store) Backup(ctx context.Context, path string) (err error) {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".partial")
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("sqlite: backup: %s already exists", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	// VACUUM INTO accepts an empty file: making it first sets its mode.
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	// The writer connection: readers are query_only, which VACUUM INTO
	// refuses. VACUUM INTO only reads this database.
	if _, err := s.write.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return nil
}

// CheckFile opens the SQLite file at path read-only and reports whether it
// is a GenAuth database this binary can use: intact (integrity_check), with
// GenAuth's schema, and no migration from a newer version. It returns the
// migrations the file has.
func CheckFile(ctx context.Context, path string) ([]string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	q := url.Values{"mode": {"ro"}, "_pragma": {"query_only(1)"}}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil {
		return nil, fmt.Errorf("%s is not a SQLite database: %w", path, err)
	}
	if check != "ok" {
		return nil, fmt.Errorf("%s is damaged: integrity_check says %s", path, check)
	}
	applied, err := appliedMigrations(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	known, err := knownMigrations()
	if err != nil {
		return nil, err
	}
	if len(applied) == 0 || applied[0] != known[0] {
		return nil, fmt.Errorf("%s is not a GenAuth database (no GenAuth schema)", path)
	}
	for _, v := range applied {
		if !slices.Contains(known, v) {
			return nil, fmt.Errorf("%s was written by a newer GenAuth (schema migration %s is unknown to this binary)", path, v)
		}
	}
	return applied, nil
}
