package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/postgres"
)

// TestOperations: the migrations a database lacks or does not know, the
// active session count, the pool's stats and the server's clock.
func TestOperations(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pending, err := s.PendingMigrations(ctx)
	if err != nil || len(pending) == 0 || pending[0] != "0001_init.sql" {
		t.Fatalf("before Migrate: pending %v, %v; want every migration", pending, err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if pending, err := s.PendingMigrations(ctx); err != nil || len(pending) != 0 {
		t.Errorf("after Migrate: pending %v, %v", pending, err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_future.sql', now())`); err != nil {
		t.Fatal(err)
	}
	if unknown, err := s.UnknownMigrations(ctx); err != nil || !slices.Equal(unknown, []string{"9999_future.sql"}) {
		t.Errorf("unknown migrations %v, %v; want the future one", unknown, err)
	}

	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for i, sess := range []model.Session{
		{ExpiresAt: now.Add(time.Hour), LastSeenAt: now.Add(-time.Minute)},   // active
		{ExpiresAt: now.Add(-time.Second), LastSeenAt: now},                  // expired
		{ExpiresAt: now.Add(time.Hour), LastSeenAt: now.Add(-3 * time.Hour)}, // idle
	} {
		sess.IDHash, sess.UserID, sess.CreatedAt, sess.AuthTime = strings.Repeat(string(rune('a'+i)), 64), "u", now.Add(-4*time.Hour), now
		if err := s.CreateSession(ctx, &sess); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.CountActiveSessions(ctx, now, now.Add(-time.Hour)); err != nil || n != 1 {
		t.Errorf("active sessions %d, %v; want 1", n, err)
	}
	if p := s.PoolStats(); len(p) != 1 || p[0].Pool != "postgres" || p[0].MaxOpen != 3 || p[0].Open < 1 {
		t.Errorf("pool stats %+v; want one postgres pool of at most 3, open", p)
	}
	if theirs, err := s.ServerTime(ctx); err != nil || theirs.IsZero() {
		t.Errorf("server time %v, %v", theirs, err)
	}
}
