package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// busyTimeout bounds how long a connection waits for another process (say,
// the CLI next to a running server) to release the database.
const busyTimeout = 5 * time.Second

// Store keeps GenAuth's data in one SQLite database file. It implements
// every consumer's store interface (storetest.Store, checked by its tests).
type Store struct {
	*sqlstore.Store         // the shared queries
	write           *sql.DB // one connection: SQLite admits one writer at a time
	read            *sql.DB // query-only connections
	// Prepared statements of the hot queries, per pool.
	writes, reads stmtCache
	group         committer // shares write transactions among callers
	checkpoints   *checkpointer
}

// Open opens (creating if needed) the database file at path. The parent
// directory must exist. Call Migrate before use.
func Open(path string) (*Store, error) {
	common := []string{
		fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
		"foreign_keys(1)",
		"synchronous(NORMAL)",
	}
	write, err := sql.Open("sqlite", dsn(path, "immediate", append(common, "journal_mode(WAL)",
		fmt.Sprintf("wal_autocheckpoint(%d)", writerCheckpointPages))...))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	// Connect now: this creates the file and switches it to WAL before any
	// reader opens it.
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn(path, "", append(common, "query_only(1)")...))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	ckpt, err := sql.Open("sqlite", dsn(path, "", common...))
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	s := &Store{write: write, read: read, writes: stmtCache{db: write}, reads: stmtCache{db: read},
		checkpoints: newCheckpointer(ckpt)}
	s.group.s = s
	s.Store = sqlstore.New(engine{s})
	return s, nil
}

// dsn is a modernc.org/sqlite data source name for path: a file: URI, so the
// path may contain '?' or '#' (SQLite decodes the escapes), with the pragmas
// run on every new connection and, if set, the BEGIN mode of transactions.
func dsn(path, txlock string, pragmas ...string) string {
	q := url.Values{"_pragma": pragmas}
	if txlock != "" {
		q.Set("_txlock", txlock)
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, in file-name order, each in its own immediate
// transaction. It is safe to call on every start, also from several processes
// at once: the write lock makes them take turns and re-check.
func (s *Store) Migrate(ctx context.Context) error { return s.migrate(ctx, "") }

// migrate applies the migrations up to and including last ("": all).
func (s *Store) migrate(ctx context.Context, last string) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimPrefix(name, "migrations/")
		if last != "" && version > last {
			break
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			if step := goSteps[version]; step != nil {
				if err := step(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				version, toMS(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: migrate %s: %w", version, err)
		}
	}
	return nil
}

// Ping checks both connection pools.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return mapErr("ping", err)
	}
	return mapErr("ping", s.read.PingContext(ctx))
}

// CheckWrite inserts and deletes a nonce in one transaction: the commit
// writes its pages to the WAL, which fails while the disk is full.
func (s *Store) CheckWrite(ctx context.Context) error {
	probe := "genauth-check-write:" + rand.Text()
	return mapErr("check write", s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO signature_nonces (nonce, expires_at) VALUES (?, 0)`, probe); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM signature_nonces WHERE nonce = ?`, probe)
		return err
	}))
}

// Close closes both connection pools.
func (s *Store) Close() error {
	return errors.Join(s.checkpoints.close(), s.reads.close(), s.writes.close(), s.read.Close(), s.write.Close())
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE, from _txlock) and
// commits it when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	// Uncancellable like every short statement (see quick): a transaction
	// holds the only write connection and is better finished than abandoned.
	tx, err := s.write.BeginTx(quick(ctx), nil)
	if err != nil {
		return err
	}
	defer s.writes.preparePending(ctx)
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.checkpoints.committed()
	return nil
}

// conflictFields names the unique columns in ErrConflict messages.
var conflictFields = map[string]string{
	"applications.id":             "application id",
	"users.id":                    "user id",
	"users.username":              "username",
	"users.username_key,":         "username", // the index is on (username_key, username_dup)
	"users.email_lower":           "email",
	"users.phone":                 "phone",
	"users.external_id":           "external id",
	"applications.app_identifier": "application identifier",
	"access_keys.singleton":       "access key",
	"password_keys.singleton":     "password key",
	"sessions.id_hash":            "session",
	"auth_codes.hash":             "authorization code",
	"tokens.hash":                 "token",
	"tokens.id":                   "token id",
	"signing_keys.id":             "signing key",
	"ext_idps.id":                 "identity provider id",
	"ext_idp_conns.id":            "connection id",
	"ext_idp_conns.identifier":    "connection identifier",
	"user_identities.id":          "identity id",
	"user_identities.ext_idp_id,": "upstream account", // the index is on (ext_idp_id, subject)
	"user_identities.user_id,":    "identity at this provider",
}

// mapErr turns driver errors into the genauth sentinels and wraps the rest
// with the operation, so no SQL reaches callers.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return model.ErrNotFound
	}
	for _, sentinel := range []error{model.ErrNotFound, model.ErrInactive, model.ErrCodeRedeemed} {
		if err == sentinel {
			return err
		}
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			// The message ends in "UNIQUE constraint failed: table.column (2067)".
			for col, field := range conflictFields {
				if strings.Contains(se.Error(), ": "+col+" ") {
					return fmt.Errorf("%s: %w", field, model.ErrConflict)
				}
			}
			return model.ErrConflict
		}
	}
	if unavailable(err) {
		return fmt.Errorf("sqlite: %s: %w: %w", op, model.ErrUnavailable, err)
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// unavailable reports whether err means the database cannot serve for now:
// the disk is full, the file is read-only or failing, or another process
// held the lock past busy_timeout. Codes may be extended (SQLITE_IOERR_WRITE).
func unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	se, ok := errors.AsType[*sqlite.Error](err)
	if !ok {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY:
		return true
	}
	return false
}

// Times are stored as unix milliseconds; the zero time has a value too.
func toMS(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}
