package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// BenchmarkTokenWrites measures the token writes of client_credentials (one
// token), of a code exchange (an access and a refresh token) and a code's
// redemption, from 32 goroutines. Each call's time is mostly the server's
// WAL flush, so the figure to compare is this process's CPU time per call
// (cpu-µs/op), where round trips show:
// go test ./internal/store/postgres -run '^$' -bench TokenWrites
func BenchmarkTokenWrites(b *testing.B) {
	ctx := context.Background()
	s := open(b)
	now := time.Now().UTC()
	var seq atomic.Int64
	token := func(kind string) *model.Token {
		i := seq.Add(1)
		return &model.Token{
			Hash: fmt.Sprintf("%s%d", kind, i), ID: fmt.Sprintf("%s-j%d", kind, i), Kind: kind, GrantID: "g",
			ClientID: "app", UserID: "user", Scope: "user", Protocol: model.ProtocolOAuth,
			IssuedAt: now, ExpiresAt: now.Add(time.Hour),
		}
	}
	run := func(name string, op func() error) {
		b.Run(name, func(b *testing.B) {
			start := cpuTime(b)
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := op(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64((cpuTime(b)-start).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
	run("one", func() error { return s.CreateTokens(ctx, token(model.TokenAccess)) })
	run("pair", func() error { return s.CreateTokens(ctx, token(model.TokenAccess), token(model.TokenRefresh)) })
	// A code is stored and redeemed: the CreateAuthCode's cost is in the figure.
	run("redeem", func() error {
		hash := fmt.Sprintf("code%d", seq.Add(1))
		err := s.CreateAuthCode(ctx, &model.AuthCode{Hash: hash, GrantID: "g", ClientID: "app", UserID: "user",
			CreatedAt: now, ExpiresAt: now.Add(time.Hour), AuthTime: now})
		if err != nil {
			return err
		}
		return s.RedeemAuthCode(ctx, hash, now, []*model.Token{token(model.TokenAccess), token(model.TokenRefresh)})
	})
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
