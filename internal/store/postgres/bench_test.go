package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/storetest"
)

// BenchmarkMillionUsers seeds a million users (with COPY) and measures the
// console's user list and searches on them (storetest.BenchUserPages),
// after checking that their queries read indexes in order:
// go test ./internal/store/postgres -run '^$' -bench MillionUsers -benchtime 200x
func BenchmarkMillionUsers(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds a million users")
	}
	ctx := context.Background()
	url := pgtest.NewDatabase(b)
	s := openURL(b, url)
	start := time.Now()
	if err := storetest.SeedUsers(ctx, s, storetest.MillionUsers, storetest.SeedStart); err != nil {
		b.Fatal(err)
	}
	// What autovacuum would have done by the time anyone looks.
	if err := s.Exec(ctx, `VACUUM ANALYZE users`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d users in %v", storetest.MillionUsers, time.Since(start).Round(time.Millisecond))
	checkPlans(b, url)
	storetest.BenchUserPages(b, s, storetest.MillionUsers)
}

// checkPlans fails unless each keyset query (as sqlstore writes it) reads an
// index in its order, with no sort and no sequential scan.
func checkPlans(b *testing.B, url string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	ts := storetest.SeedStart.Add(500_000 * time.Second)
	const users = `SELECT id FROM users WHERE `
	queries := []struct {
		sql  string
		args []any
		// The audit trail is empty here, so the planner would rightly read
		// the table: forbidding that shows an index gives the order.
		forced bool
	}{
		{`SELECT id FROM users ORDER BY created_at DESC, id DESC LIMIT 51`, nil, false},
		{`SELECT id FROM users WHERE (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT $3`, []any{ts, "x", 51}, false},
		{users + `id = $1 LIMIT $2`, []any{"x", 51}, false},
		{users + `username_key >= $1 AND username_key < $2 AND (username_key, username_dup) > ($3, $4) AND id <> $5
			ORDER BY username_key, username_dup LIMIT $6`, []any{"emma.", "emma.\U0010FFFF", "emma.", "", "emma.", 51}, false},
		{users + `email_lower >= $1 AND email_lower < $2 AND id <> $3
			AND (username_key IS NULL OR username_key < $4 OR username_key >= $5) ORDER BY email_lower LIMIT $6`,
			[]any{"emma.", "emma.\U0010FFFF", "emma.", "emma.", "emma.\U0010FFFF", 51}, false},
		{users + `phone >= $1 AND phone < $2 AND id <> $3 ORDER BY phone LIMIT $4`, []any{"+86138005", "+86138005\U0010FFFF", "x", 51}, false},
		{`SELECT seq FROM audit_events WHERE (time, seq) < ($1, $2) ORDER BY time DESC, seq DESC LIMIT $3`,
			[]any{ts, 1, 101}, true},
		{`SELECT seq FROM audit_events WHERE type = $1 AND (time, seq) < ($2, $3) ORDER BY time DESC, seq DESC LIMIT $4`,
			[]any{"login.success", ts, 1, 101}, true},
		{`SELECT seq FROM audit_events WHERE client_id = $1 AND client_id <> '' ORDER BY time DESC, seq DESC LIMIT $2`,
			[]any{"app", 101}, true},
		{`SELECT seq FROM audit_events WHERE user_id = $1 AND user_id <> '' AND (time, seq) < ($2, $3) ORDER BY time DESC, seq DESC LIMIT $4`,
			[]any{"u", ts, 1, 101}, true},
	}
	for _, q := range queries {
		scans := "on"
		if q.forced {
			scans = "off"
		}
		for _, set := range []string{"enable_seqscan", "enable_bitmapscan"} {
			if _, err := conn.Exec(ctx, `SELECT set_config($1, $2, false)`, set, scans); err != nil {
				b.Fatal(err)
			}
		}
		rows, err := conn.Query(ctx, "EXPLAIN "+q.sql, q.args...)
		if err != nil {
			b.Fatalf("%s: %v", q.sql, err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				b.Fatal(err)
			}
			plan = append(plan, strings.TrimSpace(line))
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		p := strings.Join(plan, "; ")
		b.Logf("%s\n  %s", q.sql, p)
		if !strings.Contains(p, "Index") || strings.Contains(p, "Seq Scan") || strings.Contains(p, "Sort") {
			b.Errorf("%s\nplan: %s\nwant an ordered index read", q.sql, p)
		}
	}
}
