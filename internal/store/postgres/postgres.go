package postgres

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Advisory lock keys ("genauth" and a number). Advisory locks are per
// database, so the keys only need to be unique within GenAuth.
const (
	migrateLockKey int64 = 0x67656e6175746801 // serialises Migrate
	onceLockKey    int64 = 0x67656e6175746802 // serialises WithLock
)

// Options tune the connection pool. Zero values keep pgx's defaults, or the
// values given in the URL (pool_max_conns, connect_timeout, ...).
type Options struct {
	// MaxConns bounds the pool; pgx's default is max(4, number of CPUs).
	MaxConns int32
	// ConnectTimeout bounds establishing one connection.
	ConnectTimeout time.Duration
	// StatementTimeout makes the server cancel any statement running longer
	// (PostgreSQL's statement_timeout).
	StatementTimeout time.Duration
}

// Store keeps GenAuth's data in one PostgreSQL database. It implements
// every consumer's store interface (storetest.Store, checked by its tests).
type Store struct {
	*sqlstore.Store // the shared queries
	pool            *pgxpool.Pool
}

// Open connects to the database at url (postgres://user:pass@host:port/db?...)
// and checks that it answers. Call Migrate before use.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password included.
		return nil, fmt.Errorf("postgres: cannot parse the database URL %s", Redact(url))
	}
	if opts.MaxConns < 0 || opts.ConnectTimeout < 0 || opts.StatementTimeout < 0 {
		return nil, errors.New("postgres: pool options must not be negative")
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
		cfg.MinConns = min(cfg.MinConns, cfg.MaxConns)
	}
	if opts.ConnectTimeout > 0 {
		cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	}
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(opts.StatementTimeout.Milliseconds())
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connecting to %s: %w", Redact(url), oneLine{err})
	}
	s := &Store{pool: pool}
	s.Store = sqlstore.New(engine{s})
	return s, nil
}

// oneLine shows an error on one line: pgx puts each address it tried on a
// line of its own, and the CLI shows only the first line of an error.
type oneLine struct{ err error }

func (e oneLine) Error() string {
	s := strings.ReplaceAll(e.err.Error(), ":\n", ": ")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

func (e oneLine) Unwrap() error { return e.err }

// Redact returns url with its password, if any, replaced by "xxxxx", for
// messages and logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "(unparsable URL)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, in file-name order, in one transaction that first takes
// a transaction-scoped advisory lock: nodes starting at the same moment wait
// for each other and the later ones find nothing left to do. DDL is
// transactional in PostgreSQL, so a failed migration leaves no trace.
func (s *Store) Migrate(ctx context.Context) error { return s.migrate(ctx, "") }

// migrate applies the migrations up to and including last ("": all).
func (s *Store) migrate(ctx context.Context, last string) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	sort.Strings(names)
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLockKey); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version text PRIMARY KEY, applied_at timestamptz NOT NULL)`); err != nil {
			return err
		}
		applied := map[string]bool{}
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return err
		}
		versions, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, v := range versions {
			applied[v] = true
		}
		for _, name := range names {
			version := strings.TrimPrefix(name, "migrations/")
			if last != "" && version > last {
				break
			}
			if applied[version] {
				continue
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			// No arguments: the simple protocol runs every statement of the file.
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("%s: %w", version, err)
			}
			if step := goSteps[version]; step != nil {
				if err := step(ctx, tx); err != nil {
					return fmt.Errorf("%s: %w", version, err)
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())`,
				version); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// Migrated reports whether the database holds GenAuth's schema (any
// migration applied), so that commands other than serve and migrate can
// refuse a database that was never set up instead of silently creating one.
func (s *Store) Migrated(ctx context.Context) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("postgres: %w", err)
	}
	return ok, nil
}

// WithLock runs fn while holding a cluster-wide advisory lock, so that a
// step such as creating the first-start demo application happens on one node
// at a time. fn may use the store freely (other connections of the pool).
func (s *Store) WithLock(ctx context.Context, fn func() error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, onceLockKey); err != nil {
		return fmt.Errorf("postgres: lock: %w", err)
	}
	fnErr := fn()
	// Unlock even when ctx is done; a failed unlock ends the session's locks
	// only with the connection, so drop it then.
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, onceLockKey); err != nil {
		conn.Conn().Close(uctx)
		return errors.Join(fnErr, fmt.Errorf("postgres: unlock: %w", err))
	}
	return fnErr
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return mapErr("ping", s.pool.Ping(ctx))
}

// CheckWrite inserts and deletes a nonce in one transaction, which a
// read-only server refuses and a full disk fails.
func (s *Store) CheckWrite(ctx context.Context) error {
	probe := "genauth-check-write:" + rand.Text()
	return mapErr("check write", s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO signature_nonces (nonce, expires_at) VALUES ($1, 'epoch')`, probe); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM signature_nonces WHERE nonce = $1`, probe)
		return err
	}))
}

// Close closes the pool, waiting for connections in use to be released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// inTx runs fn in a READ COMMITTED transaction and commits it when fn
// returns nil.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// conflictFields names the unique constraints in ErrConflict messages.
var conflictFields = map[string]string{
	"applications_pkey":           "application id",
	"users_pkey":                  "user id",
	"users_username_key":          "username",
	"users_username_key_unique":   "username",
	"users_email_lower_key":       "email",
	"users_phone_key":             "phone",
	"users_external_id":           "external id",
	"applications_app_identifier": "application identifier",
	"access_keys_pkey":            "access key",
	"password_keys_pkey":          "password key",
	"sessions_pkey":               "session",
	"auth_codes_pkey":             "authorization code",
	"tokens_pkey":                 "token",
	"tokens_id_key":               "token id",
	"signing_keys_pkey":           "signing key",
	"ext_idps_pkey":               "identity provider id",
	"ext_idp_conns_pkey":          "connection id",
	"ext_idp_conns_identifier":    "connection identifier",
	"user_identities_pkey":        "identity id",
	"user_identities_subject":     "upstream account",
	"user_identities_one_per_idp": "identity at this provider",
}

// mapErr turns driver errors into the genauth sentinels and wraps the rest
// with the operation, so no SQL reaches callers.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return model.ErrNotFound
	}
	for _, sentinel := range []error{model.ErrNotFound, model.ErrInactive, model.ErrCodeRedeemed} {
		if err == sentinel {
			return err
		}
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "23505" { // unique_violation
		if field, ok := conflictFields[pe.ConstraintName]; ok {
			return fmt.Errorf("%s: %w", field, model.ErrConflict)
		}
		return model.ErrConflict
	}
	if unavailable(err) {
		return fmt.Errorf("postgres: %s: %w: %w", op, model.ErrUnavailable, oneLine{err})
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// unavailable reports whether err means the database cannot serve for now:
// it cannot be reached or the connection broke (a restart), it is shutting
// down or starting up, it is read-only (a standby, or a full disk's
// emergency setting), or it lacks disk, memory or connections. A caller
// that went away (context.Canceled) is none of these.
func unavailable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection_exception
			strings.HasPrefix(pe.Code, "53"),  // insufficient_resources: disk_full, out_of_memory, too_many_connections
			strings.HasPrefix(pe.Code, "57P"), // admin_shutdown, crash_shutdown, cannot_connect_now
			pe.Code == "25006",                // read_only_sql_transaction
			pe.Code == "58030":                // io_error
			return true
		}
		return false
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	for _, target := range []error{context.DeadlineExceeded, io.EOF, io.ErrUnexpectedEOF, net.ErrClosed,
		pgconn.ErrConnClosed, syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE} {
		if errors.Is(err, target) {
			return true
		}
	}
	return pgconn.Timeout(err)
}

// list stores a nil list as an empty array (the columns are NOT NULL).
func list(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
