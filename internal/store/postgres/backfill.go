package postgres

import (
	"context"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/platform/loginid"
)

// goSteps are the parts of migrations that SQL cannot do, run in the
// migration transaction right after the migration's SQL.
var goSteps = map[string]func(context.Context, pgx.Tx) error{
	"0006_signin.sql": fillUsernameKeys,
}

// backfillPage is how many users fillUsernameKeys reads at a time.
const backfillPage = 1000

// fillUsernameKeys gives every stored username its key, oldest user first.
// A key an older user already holds marks the later user as a duplicate
// (username_dup = its id): nobody is merged or renamed. A page costs three
// round trips: read it, read the keys older users hold, update it whole.
func fillUsernameKeys(ctx context.Context, tx pgx.Tx) error {
	type row struct {
		created      time.Time
		seq          int64
		id, username string
	}
	last := row{seq: math.MinInt64} // where the previous page ended
	for {
		rows, err := tx.Query(ctx, `SELECT created_at, seq, id, username FROM users
			WHERE (created_at, seq) > ($1, $2) AND username IS NOT NULL
			ORDER BY created_at, seq LIMIT $3`, last.created, last.seq, backfillPage)
		if err != nil {
			return err
		}
		page, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			err := r.Scan(&x.created, &x.seq, &x.id, &x.username)
			return x, err
		})
		if err != nil || len(page) == 0 {
			return err
		}
		ids, keys, dups := make([]string, len(page)), make([]string, len(page)), make([]string, len(page))
		for i, r := range page {
			ids[i], keys[i] = r.id, loginid.UsernameKey(r.username)
		}
		rows, err = tx.Query(ctx, `SELECT username_key FROM users WHERE username_key = ANY($1) AND username_dup = ''`, keys)
		if err != nil {
			return err
		}
		held, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		taken := make(map[string]bool, len(held))
		for _, k := range held {
			taken[k] = true
		}
		for i, k := range keys {
			if taken[k] {
				dups[i] = ids[i]
			}
			taken[k] = true
		}
		if _, err := tx.Exec(ctx, `UPDATE users u SET username_key = v.key, username_dup = v.dup
			FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, key, dup) WHERE u.id = v.id`,
			ids, keys, dups); err != nil {
			return err
		}
		if len(page) < backfillPage {
			return nil
		}
		last = page[len(page)-1]
	}
}
