package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opengenauth/genauth/internal/apps"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/token"
	"github.com/opengenauth/genauth/internal/users"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version string

// dbFile is the SQLite database's name inside the data directory.
const dbFile = "genauth.db"

// cli carries what every command shares: its streams and the data directory.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	dataDir        string
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "genauth",
		Short: "GenAuth identity server: OAuth 2.0 and OpenID Connect with hosted login pages",
		Long: `GenAuth is an identity provider in one binary with an embedded SQLite database.

Start the server with "genauth serve". The app and user commands manage the
same database; they need one that "genauth serve" or "genauth migrate" created.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	envStringVar(root.PersistentFlags(), &c.dataDir, "data-dir", "GENAUTH_DATA_DIR", "./genauth-data",
		"directory holding the SQLite database "+dbFile)
	root.AddCommand(c.serveCmd(), c.migrateCmd(), c.appCmd(), c.userCmd(), c.versionCmd())
	return root
}

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

// createStore opens the database, creating the data directory (mode 0700) and
// the database when missing, and migrates it. serve and migrate use it.
func (c *cli) createStore(ctx context.Context) (*sqlite.Store, error) {
	path, err := c.dbPath()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	return openMigrated(ctx, path)
}

// existingStore opens a database that must already exist and migrates it, so
// that the app and user commands work after an upgrade. They never create a
// database: a mistyped --data-dir should not silently start an empty one.
func (c *cli) existingStore(ctx context.Context) (*sqlite.Store, error) {
	path, err := c.dbPath()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s; run `genauth serve` or `genauth migrate` first", path)
	} else if err != nil {
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

func appService(st store.Store) *apps.Service {
	return &apps.Service{Store: st, Tokens: token.NewSource(rand.Reader), Now: time.Now}
}

func userService(st store.Store) *users.Service {
	return &users.Service{Store: st, Tokens: token.NewSource(rand.Reader), Rand: rand.Reader, Now: time.Now}
}

func (c *cli) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database in --data-dir",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.createStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			path, _ := c.dbPath()
			fmt.Fprintf(c.stdout, "database %s is up to date\n", path)
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
