package storetest

import (
	"fmt"
	"testing"
	"time"
)

func testPing(t *testing.T, open Opener) {
	s := open(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	// Its write leaves nothing behind: a second check does not collide with
	// the first, nor does a nonce used in between.
	for i := range 2 {
		must(t, fmt.Sprintf("CheckWrite %d", i+1), s.CheckWrite(t.Context()))
		must(t, "UseNonce", s.UseNonce(t.Context(), fmt.Sprintf("n%d", i), t0, t0.Add(time.Minute)))
	}
}
