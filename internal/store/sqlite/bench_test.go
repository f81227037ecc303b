package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/store/storetest"
)

// openBench returns a migrated store holding n live access tokens, hashed
// "h0".."h<n-1>" (the store takes hashes as given).
func openBench(b *testing.B, n int) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "genauth.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	batch := make([]*model.Token, 0, 1000)
	for i := range n {
		batch = append(batch, &model.Token{
			Hash: fmt.Sprintf("h%d", i), ID: fmt.Sprintf("j%d", i), Kind: model.TokenAccess, GrantID: fmt.Sprintf("g%d", i),
			ClientID: "app", UserID: "user", Scope: "user", Protocol: model.ProtocolOAuth,
			IssuedAt: now, ExpiresAt: now.Add(time.Hour),
		})
		if len(batch) == cap(batch) || i == n-1 {
			if err := s.CreateTokens(ctx, batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return s
}

// BenchmarkGetToken is the lookup behind every introspection and userinfo
// request, serially and from many goroutines at once.
func BenchmarkGetToken(b *testing.B) {
	const n = 10_000
	s := openBench(b, n)
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := s.GetToken(ctx, fmt.Sprintf("h%d", i%n)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := s.GetToken(ctx, fmt.Sprintf("h%d", i%n)); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

// BenchmarkTokenWithUser is the read of userinfo and get-profile: the token
// and then its user (as they read it before GetTokenWithUser), and both in
// one query.
func BenchmarkTokenWithUser(b *testing.B) {
	const n = 10_000
	s := openBench(b, n)
	ctx := context.Background()
	now := time.Now().UTC()
	if err := s.CreateUser(ctx, &model.User{ID: "user", Username: "ada", Name: "Ada Lovelace",
		Email: "ada@example.com", CreatedAt: now, UpdatedAt: now}); err != nil {
		b.Fatal(err)
	}
	b.Run("two-reads", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			t, err := s.GetToken(ctx, fmt.Sprintf("h%d", i%n))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.GetUser(ctx, t.UserID); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("joined", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, u, err := s.GetTokenWithUser(ctx, fmt.Sprintf("h%d", i%n)); err != nil || u == nil {
				b.Fatal(u, err)
			}
			i++
		}
	})
}

// BenchmarkCreateTokens is the write of a code exchange: an access and a
// refresh token in one transaction, serially and from 64 goroutines at once
// (where group commit shares transactions).
func BenchmarkCreateTokens(b *testing.B) {
	s := openBench(b, 0)
	ctx := context.Background()
	now := time.Now().UTC()
	var seq atomic.Int64
	create := func() error {
		i := seq.Add(1)
		var pair []*model.Token
		for _, kind := range []string{model.TokenAccess, model.TokenRefresh} {
			pair = append(pair, &model.Token{
				Hash: fmt.Sprintf("%s%d", kind, i), ID: fmt.Sprintf("%s-j%d", kind, i), Kind: kind, GrantID: "g",
				ClientID: "app", UserID: "user", Scope: "user", Protocol: model.ProtocolOAuth,
				IssuedAt: now, ExpiresAt: now.Add(time.Hour),
			})
		}
		return s.CreateTokens(ctx, pair...)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := create(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := create(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkMillionUsers seeds a million users and measures the console's
// user list and searches on them (storetest.BenchUserPages):
// go test ./internal/store/sqlite -run '^$' -bench MillionUsers -benchtime 200x
func BenchmarkMillionUsers(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds a million users")
	}
	s := openBench(b, 0)
	// The default 2 MB page cache spills the seeding transactions' pages
	// to the WAL and reads them back: a bigger one halves the seeding time.
	if err := s.Exec(context.Background(), `PRAGMA cache_size = -262144`); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := storetest.SeedUsers(context.Background(), s, storetest.MillionUsers, storetest.SeedStart); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d users in %v", storetest.MillionUsers, time.Since(start).Round(time.Millisecond))
	storetest.BenchUserPages(b, s, storetest.MillionUsers)
}
