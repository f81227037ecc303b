package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/store/sweep"
)

// Store is what the suite tests: everything the server keeps
// (server.Store, the union of the store interfaces its parts declare), what
// the sweeper deletes, and what only the CLI reads. Both backends pass it
// to Run, so neither compiles into a conformance test without implementing
// every consumer's interface.
type Store interface {
	server.Store
	sweep.Deleter
	// ListAuditEvents returns the events matching q, newest first
	// (genauth audit list).
	ListAuditEvents(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, error)
	// DuplicateUsernames (genauth doctor) returns the groups of users whose
	// usernames are equal as loginid.UsernameKey compares them, each group
	// oldest first.
	DuplicateUsernames(ctx context.Context) ([][]*model.User, error)
	// GetThrottle returns key's state; an unknown key gives
	// model.ErrNotFound. Only the suite reads it, to check what the
	// throttle's operations stored.
	GetThrottle(ctx context.Context, key string) (*model.Throttle, error)
}

// Opener returns a fresh, migrated, empty store; the caller closes it in a
// t.Cleanup.
type Opener = func(t *testing.T) Store

// test is one conformance test; it opens the stores it needs.
type test struct {
	name string
	run  func(*testing.T, Opener)
}

// groups are the conformance tests by the consumer interface whose
// operations they define; other operations only set up or look.
var groups = []struct {
	iface string
	tests []test
}{
	{"server.Prober", []test{{"Ping", testPing}}},
	{"apps.Store", []test{
		{"Applications", testApplications},
		{"Management", testApplicationManagement},
		{"SignOutClient", testSignOutClient},
	}},
	{"users.Store", []test{
		{"Users", testUsers},
		{"Management", testUserManagement},
		{"Pages", testUserPages},
	}},
	{"sessions.Store", []test{
		{"Sessions", testSessions},
		{"TouchSession", testTouchSession},
	}},
	{"oauth.TokenStore", []test{
		{"AuthCodes", testAuthCodes},
		{"Tokens", testTokens},
		{"TokenWithUser", testTokenWithUser},
		{"Times", testTimes},
		{"RotateRefreshToken", testRotateRefreshToken},
	}},
	{"oauth.ConsentStore", []test{{"Consents", testConsents}}},
	{"pages.ConsentStore", []test{{"WithdrawConsent", testWithdrawConsent}}},
	{"idtoken.KeyStore", []test{{"SigningKeys", testSigningKeys}}},
	{"management.Store", []test{{"Management", testManagement}}},
	{"authn.PasswordKeyStore", []test{{"PasswordKey", testPasswordKey}}},
	{"throttle.Store", []test{
		{"Throttles", testThrottles},
		{"ReserveAttempt", testReserveAttempt},
	}},
	{"audit.Store", []test{
		{"AuditEvents", testAuditEvents},
		{"AuditPages", testAuditPages},
		{"AuditByDay", testAuditByDay},
	}},
	{"outbox.Store", []test{
		{"Outbox", testOutbox},
		{"ConcurrentClaims", testConcurrentClaims},
	}},
	{"passcode.Store", []test{
		{"Passcodes", testPasscodes},
		{"ConcurrentUse", testConcurrentPasscodeUse},
	}},
	{"mfa.Store", []test{
		{"Factors", testFactors},
		{"RecoveryCodes", testRecoveryCodes},
		{"ConcurrentAdvance", testConcurrentAdvance},
		{"Settings", testSettings},
	}},
	{"idp.Store", []test{
		{"ExtIdps", testExtIdps},
		{"Conns", testExtIdpConns},
		{"Enablement", testConnEnablement},
		{"Identities", testIdentities},
		{"CreateUserWithIdentity", testCreateUserWithIdentity},
		{"Cascades", testIdPCascades},
	}},
	{"admins.Store", []test{
		{"Roles", testRoles},
		{"ConcurrentRevokes", testConcurrentRevokes},
		{"ClaimFirstAdmin", testClaimFirstAdmin},
		{"ConcurrentClaims", testConcurrentFirstAdminClaims},
	}},
	{"sweep.Deleter", []test{
		{"DeleteExpired", testDeleteExpired},
		{"DeleteAuditEvents", testDeleteAuditEvents},
		{"DeleteSentMessages", testDeleteSentMessages},
	}},
	{"genauth.doctorDB", []test{{"DuplicateUsernames", testDuplicateUsernames}}},
}

// Run runs every conformance test, each against its own store from open.
func Run(t *testing.T, open Opener) {
	for _, g := range groups {
		t.Run(g.iface, func(t *testing.T) {
			for _, tt := range g.tests {
				t.Run(tt.name, func(t *testing.T) { tt.run(t, open) })
			}
		})
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

// oneWins runs use from workers goroutines at once and fails unless
// exactly one gets nil and every other model.ErrWrongCode: the single-use
// guarantee of codes, recovery codes and TOTP steps.
func oneWins(t *testing.T, what string, workers int, use func() error) {
	t.Helper()
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		won, lost int
	)
	for range workers {
		wg.Go(func() {
			err := use()
			mu.Lock()
			defer mu.Unlock()
			switch err {
			case nil:
				won++
			case model.ErrWrongCode:
				lost++
			default:
				t.Errorf("%s: %v", what, err)
			}
		})
	}
	wg.Wait()
	if won != 1 || lost != workers-1 {
		t.Fatalf("concurrent %s: %d won, %d lost; want 1 and %d", what, won, lost, workers-1)
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
