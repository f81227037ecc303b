package sqlite

import (
	"context"
	"database/sql"
	"math"

	"github.com/opengenauth/genauth/internal/platform/loginid"
)

// goSteps are the parts of migrations that SQL cannot do, run in the
// migration's transaction right after its SQL.
var goSteps = map[string]func(context.Context, *sql.Tx) error{
	"0007_signin.sql": fillUsernameKeys,
}

// backfillPage is how many users fillUsernameKeys reads at a time.
const backfillPage = 500

// fillUsernameKeys gives every stored username its key, oldest user first.
// A key an older user already holds marks the later user as a duplicate
// (username_dup = its id): nobody is merged or renamed.
func fillUsernameKeys(ctx context.Context, tx *sql.Tx) error {
	type row struct {
		created, rowid int64
		id, username   string
	}
	last := row{created: math.MinInt64} // where the previous page ended
	for {
		rs, err := tx.QueryContext(ctx, `SELECT created_at, rowid, id, username FROM users
			WHERE (created_at, rowid) > (?, ?) AND username IS NOT NULL
			ORDER BY created_at, rowid LIMIT ?`, last.created, last.rowid, backfillPage)
		if err != nil {
			return err
		}
		var page []row
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.created, &r.rowid, &r.id, &r.username); err != nil {
				rs.Close()
				return err
			}
			page = append(page, r)
		}
		if err := rs.Close(); err != nil {
			return err
		}
		for _, r := range page {
			key := loginid.UsernameKey(r.username)
			var taken int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE username_key = ? AND username_dup = ''`,
				key).Scan(&taken); err != nil {
				return err
			}
			dup := ""
			if taken > 0 {
				dup = r.id
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET username_key = ?, username_dup = ? WHERE rowid = ?`,
				key, dup, r.rowid); err != nil {
				return err
			}
			last = r
		}
		if len(page) < backfillPage {
			return nil
		}
	}
}
