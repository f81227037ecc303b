package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/store/postgres"
	"github.com/opengenauth/genauth/internal/store/storecopy"
)

func (c *cli) dbCmd() *cobra.Command {
	return groupCmd("db", "Move data between databases", c.dbCopyCmd())
}

func (c *cli) dbCopyCmd() *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "copy --to postgres://... [--from sqlite:///path/genauth.db]",
		Short: "Copy a SQLite database into an empty PostgreSQL database",
		Long: `Copy every application, user, session, authorization code, token, signing key
and consent from a SQLite database into a PostgreSQL database, as stored: token
and secret hashes and sealed keys are copied, nothing is re-minted, so live
tokens and sessions stay valid. The target is migrated first and must be
empty; the copy is one transaction, so it lands completely or not at all.
Stop the servers using the SQLite database first: what they write during the
copy is not copied.`,
		Example: `  genauth db copy --from sqlite:///var/lib/genauth/genauth.db --to postgres://genauth@db/genauth`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if to == "" {
				return errors.New("--to is required: the PostgreSQL database to copy into")
			}
			if err := checkPostgresURL(to); err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			path, err := c.sqlitePath(from)
			if err != nil {
				return err
			}
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("no database at %s", path)
			} else if err != nil {
				return err
			}
			src, err := openMigrated(ctx, path)
			if err != nil {
				return err
			}
			defer src.Close()
			dst, err := postgres.Open(ctx, to, c.pg)
			if err != nil {
				return err
			}
			defer dst.Close()
			if err := dst.Migrate(ctx); err != nil {
				return err
			}
			var n storecopy.Counts
			err = src.Export(ctx, func(s storecopy.Source) error {
				var importErr error
				n, importErr = dst.Import(ctx, s)
				return importErr
			})
			if errors.Is(err, storecopy.ErrNotEmpty) {
				return fmt.Errorf("%s is not empty; db copy only fills a new database (nothing was copied)", postgres.Redact(to))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "copied %s from %s to %s\n", n, path, postgres.Redact(to))
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "SQLite database to copy: sqlite:///absolute/path or sqlite://relative/path (default: "+dbFile+" in --data-dir)")
	cmd.Flags().StringVar(&to, "to", "", "PostgreSQL database to copy into: postgres://user:pass@host:5432/db (required)")
	return cmd
}

// sqlitePath returns the file a --from value names: everything after
// "sqlite://" is a path, so sqlite:///var/lib/x.db is absolute and
// sqlite://data/x.db relative. Empty means the database in --data-dir.
func (c *cli) sqlitePath(from string) (string, error) {
	if from == "" {
		return c.dbPath()
	}
	path, ok := strings.CutPrefix(from, "sqlite://")
	if !ok || path == "" {
		return "", fmt.Errorf("--from %q is not a sqlite:// URL such as sqlite:///var/lib/genauth/genauth.db", from)
	}
	return path, nil
}
