package token_test

import (
	"crypto/rand"
	"testing"

	"github.com/opengenauth/genauth/internal/platform/token"
)

// Benchmarks for the per-request token work: minting on the token
// endpoint, hashing on every token check. Run: go test -bench . ./internal/platform/token

func BenchmarkOpaque(b *testing.B) {
	src := token.NewSource(rand.Reader)
	b.ReportAllocs()
	for b.Loop() {
		_ = src.Opaque()
	}
}

func BenchmarkJTI(b *testing.B) {
	src := token.NewSource(rand.Reader)
	b.ReportAllocs()
	for b.Loop() {
		_ = src.JTI()
	}
}

func BenchmarkHash(b *testing.B) {
	v := token.NewSource(rand.Reader).Opaque()
	b.ReportAllocs()
	for b.Loop() {
		_ = token.Hash(v)
	}
}

func BenchmarkEqual(b *testing.B) {
	h := token.Hash("a")
	other := token.Hash("b")
	b.ReportAllocs()
	for b.Loop() {
		_ = token.Equal(h, other)
	}
}
