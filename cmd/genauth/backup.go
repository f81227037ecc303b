package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// lockSuffix names the lock file beside the SQLite database (genauth.db.lock).
const lockSuffix = ".lock"

// holdDatabase marks the SQLite database as used by this server until
// release, so that restore refuses to replace it. PostgreSQL needs none.
func (c *cli) holdDatabase() (release func(), err error) {
	if c.databaseURL != "" {
		return func() {}, nil
	}
	path, err := c.dbPath()
	if err != nil {
		return nil, err
	}
	release, err = lockDatabase(path+lockSuffix, false)
	if errors.Is(err, errInUse) {
		return nil, fmt.Errorf("%s is being restored; start the server when `genauth restore` has finished", path)
	}
	return release, err
}

func (c *cli) backupCmd() *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "backup --to FILE",
		Short: "Copy the live SQLite database to FILE, consistently, without stopping the server",
		Long: `Write a consistent copy of the SQLite database in --data-dir to FILE while
servers keep running: the copy is one read transaction (SQLite's VACUUM INTO),
so it holds every write committed before it began and none after. FILE must
not exist; it is made with mode 0600.

The copy holds token and secret hashes and the signing keys sealed under the
server secret key, not the key itself: keep secret.key (or --secret-key) too,
somewhere else. A backup is useless without it, and with it anyone can sign
tokens.

For PostgreSQL (--database) use pg_dump instead; see docs/operations.md.`,
		Example: `  genauth backup --data-dir /var/lib/genauth --to /backup/genauth-$(date +%F).db`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if to == "" {
				return errors.New("--to is required: the file to write the backup to")
			}
			if c.databaseURL != "" {
				return errors.New("backup copies SQLite databases; for PostgreSQL use pg_dump (see docs/operations.md)")
			}
			path, err := c.dbPath()
			if err != nil {
				return err
			}
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("no database at %s", path)
			}
			// Not migrated: an older server may be running on it.
			st, err := sqlite.Open(path)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Backup(ctx, to); err != nil {
				return err
			}
			applied, err := sqlite.CheckFile(ctx, to)
			if err != nil {
				return fmt.Errorf("the backup %s does not check out: %w", to, err)
			}
			fmt.Fprintf(c.stdout, "Backed up %s to %s (schema %s).\n", path, to, applied[len(applied)-1])
			if c.secretKey == "" {
				fmt.Fprintf(c.stdout, "Keep %s with it, stored apart: the backup cannot be used without it.\n",
					filepath.Join(c.dataDir, secretKeyFile))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "file to write the backup to (must not exist)")
	return cmd
}

func (c *cli) restoreCmd() *cobra.Command {
	var from string
	var force bool
	cmd := &cobra.Command{
		Use:   "restore --from FILE",
		Short: "Replace the SQLite database in --data-dir with a backup",
		Long: `Replace the SQLite database in --data-dir with FILE, a backup made by
"genauth backup". FILE is checked first: it must be an intact SQLite database
with GenAuth's schema, of this version or an older one (the next start
upgrades it). A database in use by a running server is refused: stop every
server on it first. --force skips that check; use it only when no server runs
and the check is wrong (say, the lock file is on a network file system).

The database replaced is kept beside it as genauth.db.pre-restore-TIME
(with its -wal file, if any). The server secret key is not part of a backup:
the restored database needs the key it was made under.`,
		Example: `  genauth restore --data-dir /var/lib/genauth --from /backup/genauth-2026-01-02.db`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if from == "" {
				return errors.New("--from is required: the backup file to restore")
			}
			if c.databaseURL != "" {
				return errors.New("restore replaces SQLite databases; for PostgreSQL use pg_restore or psql (see docs/operations.md)")
			}
			if _, err := sqlite.CheckFile(ctx, from); err != nil {
				return fmt.Errorf("not restoring: %w", err)
			}
			path, err := c.dbPath()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
				return fmt.Errorf("creating data directory: %w", err)
			}
			release, err := lockDatabase(path+lockSuffix, true)
			switch {
			case errors.Is(err, errInUse) && !force:
				return fmt.Errorf("a running server uses %s; stop it first (or pass --force if none does)", path)
			case errors.Is(err, errInUse):
				fmt.Fprintf(c.stderr, "genauth: --force: replacing %s although a server seems to use it\n", path)
			case err != nil:
				return err
			default:
				defer release()
			}
			kept, err := setAside(path, time.Now())
			if err != nil {
				return err
			}
			if err := copyFile(from, path); err != nil {
				return err
			}
			if kept != "" {
				fmt.Fprintf(c.stdout, "Kept the previous database as %s.\n", kept)
			}
			fmt.Fprintf(c.stdout, "Restored %s from %s. Run `genauth doctor` to check it with this server's secret key.\n", path, from)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "backup file to restore (required)")
	cmd.Flags().BoolVar(&force, "force", false, "restore even though a server seems to use the database")
	return cmd
}

// setAside renames the database at path, with its -wal and -shm files, to
// names ending .pre-restore-TIME, and returns the database's new name ("" when
// there was none). An old -wal file next to a new database would be applied to it.
func setAside(path string, now time.Time) (string, error) {
	suffix := ".pre-restore-" + now.UTC().Format("20060102T150405Z")
	kept := ""
	for _, ext := range []string{"", "-wal", "-shm"} {
		err := os.Rename(path+ext, path+suffix+ext)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("setting the current database aside: %w", err)
		}
		if ext == "" {
			kept = path + suffix
		}
	}
	return kept, nil
}

// copyFile copies src to dst through a temporary file that is synced and
// then renamed, so dst is never half written.
func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".restoring")
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("restoring: %w", err)
	}
	return nil
}
