package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/store/postgres"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/store/sweep"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version string

// dbFile is the SQLite database's name inside the data directory.
const dbFile = "genauth.db"

// cli carries what every command shares: its streams and the database.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	dataDir        string
	// databaseURL selects PostgreSQL; empty means SQLite in dataDir.
	databaseURL string
	pg          postgres.Options
	// secretKey is the server secret (hex); empty means the key file in dataDir.
	secretKey string
	// flagErr is a bad value from the environment, reported before any command runs.
	flagErr error
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "genauth",
		Short: "GenAuth identity server: OAuth 2.0 and OpenID Connect with hosted login pages",
		Long: `GenAuth is an identity provider in one binary with an embedded SQLite database,
or PostgreSQL (--database) for several nodes.

Start the server with "genauth serve". The app and user commands manage the
same database; they need one that "genauth serve" or "genauth migrate" created.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	envStringVar(pf, &c.dataDir, "data-dir", "GENAUTH_DATA_DIR", "./genauth-data",
		"directory holding the SQLite database "+dbFile+" (when --database is not given)")
	envStringVar(pf, &c.databaseURL, "database", "GENAUTH_DATABASE_URL", "",
		"PostgreSQL URL such as postgres://user:pass@host:5432/genauth; replaces the SQLite database in --data-dir")
	c.envVar(pf, &int32Value{&c.pg.MaxConns}, "db-max-conns", "GENAUTH_DB_MAX_CONNS",
		"PostgreSQL: connections per process (0: max(4, number of CPUs))")
	c.pg.ConnectTimeout = 10 * time.Second
	c.envVar(pf, &durationValue{&c.pg.ConnectTimeout}, "db-connect-timeout", "GENAUTH_DB_CONNECT_TIMEOUT",
		"PostgreSQL: how long to wait for a new connection (0: no limit)")
	c.envVar(pf, &durationValue{&c.pg.StatementTimeout}, "db-statement-timeout", "GENAUTH_DB_STATEMENT_TIMEOUT",
		"PostgreSQL: cancel any statement running longer (0: the server's setting)")
	envStringVar(pf, &c.secretKey, "secret-key", "GENAUTH_SECRET_KEY", "",
		"server secret key, 64 hex characters, that seals signing keys (default: "+secretKeyFile+" in --data-dir, created on first start; required with --database)")
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return c.flagErr }
	root.AddCommand(c.serveCmd(), c.migrateCmd(), c.appCmd(), c.userCmd(), c.keysCmd(), c.dbCmd(), c.versionCmd(), c.auditCmd(), c.mfaCmd(), c.idpCmd())
	root.AddCommand(c.adminCmd())
	root.AddCommand(c.benchCmd())
	root.AddCommand(c.backupCmd(), c.restoreCmd(), c.doctorCmd(), c.notifyCmd())
	return root
}

// envVar defines the flag v, first set from the environment variable env
// when that is set: a flag on the command line then overrides it. A bad value
// in the environment fails every command with one line naming the variable.
func (c *cli) envVar(fs *pflag.FlagSet, v pflag.Value, name, env, usage string) {
	if s, ok := os.LookupEnv(env); ok && s != "" {
		if err := v.Set(s); err != nil && c.flagErr == nil {
			c.flagErr = fmt.Errorf("invalid %s %q: %v", env, s, err)
		}
	}
	fs.Var(v, name, fmt.Sprintf("%s (env %s)", usage, env))
}

// int32Value is a non-negative int32 flag.
type int32Value struct{ p *int32 }

func (v *int32Value) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatInt(int64(*v.p), 10)
}

func (v *int32Value) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 0 {
		return errors.New("want a whole number, 0 or more")
	}
	*v.p = int32(n)
	return nil
}

func (v *int32Value) Type() string { return "int" }

// durationValue is a non-negative duration flag (see parseDuration).
type durationValue struct{ p *time.Duration }

func (v *durationValue) String() string {
	if v.p == nil {
		return "0s"
	}
	return v.p.String()
}

func (v *durationValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*v.p = d
	return nil
}

// parseDuration reads every duration flag the same way: a Go duration such
// as 90s, 15m or 1h30m, or a bare number of seconds (as the wire protocol
// and the management API count lifetimes). Negative durations are refused.
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, errors.New("must not be negative")
		}
		if n > math.MaxInt64/int64(time.Second) {
			return 0, errors.New("too long")
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("want a duration such as 90s, 15m or 1h30m (a bare number counts seconds)")
	}
	if d < 0 {
		return 0, errors.New("must not be negative")
	}
	return d, nil
}

func (v *durationValue) Type() string { return "duration" }

// envStringVar defines a string flag whose default comes from the environment
// variable env when that is set, so that a flag given on the command line
// wins over the environment, which wins over def.
func envStringVar(fs *pflag.FlagSet, p *string, name, env, def, usage string) {
	if v, ok := os.LookupEnv(env); ok && v != "" {
		def = v
	}
	fs.StringVar(p, name, def, fmt.Sprintf("%s (env %s)", usage, env))
}

// groupCmd returns a command that only holds subcommands. Cobra would print
// help and succeed on an unknown subcommand of such a command; this fails.
func groupCmd(use, short string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(subs...)
	return cmd
}

// dbPath returns the database file of the data directory.
func (c *cli) dbPath() (string, error) {
	if c.dataDir == "" {
		return "", errors.New("--data-dir must not be empty")
	}
	return filepath.Join(c.dataDir, dbFile), nil
}

// usePostgres reports whether --database selects PostgreSQL, checking the URL.
func (c *cli) usePostgres() (bool, error) {
	if c.databaseURL == "" {
		return false, nil
	}
	if err := checkPostgresURL(c.databaseURL); err != nil {
		return false, fmt.Errorf("--database: %w", err)
	}
	return true, nil
}

// checkPostgresURL accepts postgres:// and postgresql:// URLs.
func checkPostgresURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("%s is not a postgres:// URL (such as postgres://user:pass@host:5432/genauth)", postgres.Redact(s))
	}
	return nil
}

// dbName names the selected database for messages, without a password.
func (c *cli) dbName() string {
	if c.databaseURL != "" {
		return postgres.Redact(c.databaseURL)
	}
	path, _ := c.dbPath()
	return path
}

// database is a store the CLI opened: what the server keeps, what the
// sweeper deletes, what `genauth audit list` reads, and Close.
type database interface {
	server.Store
	sweep.Deleter
	auditLog
	io.Closer
}

// createStore opens the database and migrates it. For SQLite it creates the
// data directory (mode 0700) and the database file when missing. serve and
// migrate use it.
func (c *cli) createStore(ctx context.Context) (database, error) {
	if pg, err := c.usePostgres(); err != nil || pg {
		if err != nil {
			return nil, err
		}
		return c.openPostgres(ctx, true)
	}
	path, err := c.dbPath()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	if err := checkWritable(c.dataDir); err != nil {
		return nil, err
	}
	return openMigrated(ctx, path)
}

// checkWritable says plainly when the data directory cannot be written:
// SQLite would report only "unable to open database file", or fail later on
// its journal files.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".genauth-write-check-*")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("data directory %s: permission denied (the user running genauth must be able to write there)", dir)
		}
		return fmt.Errorf("data directory %s: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// existingStore opens a database that must already exist and migrates it, so
// that the app and user commands work after an upgrade. They never create a
// database: a mistyped --data-dir (or a PostgreSQL database that was never
// migrated) should not silently start an empty one.
func (c *cli) existingStore(ctx context.Context) (database, error) {
	if pg, err := c.usePostgres(); err != nil || pg {
		if err != nil {
			return nil, err
		}
		return c.openPostgres(ctx, false)
	}
	path, err := c.dbPath()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s; run `genauth serve` or `genauth migrate` first", path)
	} else if errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("data directory %s: permission denied (the user running genauth must be able to read and write there)", c.dataDir)
	} else if err != nil {
		return nil, err
	}
	if err := checkWritable(c.dataDir); err != nil {
		return nil, err
	}
	return openMigrated(ctx, path)
}

func openMigrated(ctx context.Context, path string) (*sqlite.Store, error) {
	st, err := sqlite.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrating database %s: %w", path, err)
	}
	return st, nil
}

// openPostgres connects to --database and migrates it; unless create is set,
// the database must hold GenAuth's schema already.
func (c *cli) openPostgres(ctx context.Context, create bool) (*postgres.Store, error) {
	st, err := postgres.Open(ctx, c.databaseURL, c.pg)
	if err != nil {
		return nil, err
	}
	if !create {
		ok, err := st.Migrated(ctx)
		if err != nil {
			st.Close()
			return nil, err
		}
		if !ok {
			st.Close()
			return nil, fmt.Errorf("no GenAuth schema in %s; run `genauth migrate --database ...` or `genauth serve --database ...` first", c.dbName())
		}
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func appService(st apps.Store) *apps.Service {
	return &apps.Service{Store: st, Tokens: token.NewSource(rand.Reader), Now: time.Now}
}

func userService(st users.Store) *users.Service {
	return &users.Service{Store: st, Tokens: token.NewSource(rand.Reader), Rand: rand.Reader, Now: time.Now}
}

func (c *cli) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database (--database, else SQLite in --data-dir)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.createStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			fmt.Fprintf(c.stdout, "database %s is up to date\n", c.dbName())
			return nil
		},
	}
}

func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			fmt.Fprintf(c.stdout, "genauth %s (%s %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}

// versionString is the -ldflags version, else the module version and VCS
// revision the Go toolchain recorded in the binary.
func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " " + rev
		if modified == "true" {
			v += "-dirty"
		}
	}
	return v
}
