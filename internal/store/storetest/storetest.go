package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// Opener returns a fresh, migrated, empty store; the caller closes it in a
// t.Cleanup.
type Opener = func(t *testing.T) store.Store

// Run runs every conformance test, each against its own store from open.
func Run(t *testing.T, open Opener) {
	groups := []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"Ping", testPing},
		{"Applications", testApplications},
		{"Users", testUsers},
		{"DuplicateUsernames", testDuplicateUsernames},
		{"Sessions", testSessions},
		{"AuthCodes", testAuthCodes},
		{"Tokens", testTokens},
		{"Times", testTimes},
		{"SigningKeys", testSigningKeys},
		{"Consents", testConsents},
		{"WithdrawConsent", testWithdrawConsent},
		{"RotateRefreshToken", testRotateRefreshToken},
		{"TouchSession", testTouchSession},
		{"Throttles", testThrottles},
		{"ReserveAttempt", testReserveAttempt},
		{"AuditEvents", testAuditEvents},
		{"DeleteAuditEvents", testDeleteAuditEvents},
		{"SignOutClient", testSignOutClient},
		{"DeleteExpired", testDeleteExpired},
		{"Management", testManagement},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, open) })
	}
}

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

// t0 has millisecond precision, which every backend keeps exactly.
var t0 = time.Date(2025, 3, 3, 6, 17, 14, 485_000_000, time.UTC)

// east is a non-UTC zone: stores must return the same instant in UTC.
var east = time.FixedZone("UTC+8", 8*60*60)

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error = %v, want %v", what, err, want)
	}
}

// diff compares by value; times compare as instants and nil equals empty.
func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func checkUTC(t *testing.T, what string, times ...time.Time) {
	t.Helper()
	for i, tm := range times {
		if !tm.IsZero() && tm.Location() != time.UTC {
			t.Errorf("%s: time %d is in %v, want UTC", what, i, tm.Location())
		}
	}
}

func isNotFound(err error) bool { return errors.Is(err, model.ErrNotFound) }

func isInactive(err error) bool { return errors.Is(err, model.ErrInactive) }

// hashN names the i-th of a series of codes, tokens or ids.
func hashN(prefix string, i int) string { return fmt.Sprintf("%s-%d", prefix, i) }

func isCodeRedeemed(err error) bool { return errors.Is(err, model.ErrCodeRedeemed) }
