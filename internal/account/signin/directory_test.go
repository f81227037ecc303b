package signin_test

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/idp/ldapconn"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/testkit/slapdtest"
)

// try is one sign-in attempt and the error it must end with (nil: signed in).
type try struct {
	login, password string
	want            error
}

// TestDirectory: directory sign-ins are counted as password attempts are,
// against the connection's login and the address; an unreachable
// directory judged no password, so it counts nothing.
func TestDirectory(t *testing.T) {
	dir := slapdtest.Start(t, slapdtest.Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "ldap://" + l.Addr().String()
	l.Close()

	alice, wrong := slapdtest.Alice, "not-her-password"
	tests := []struct {
		name  string
		url   string
		tries []try
	}{
		{"right password", dir.URL, []try{{"alice", alice.Password, nil}}},
		{"unknown login", dir.URL, []try{{"nobody", "whatever", model.ErrBadCredentials}}},
		{"lockout after the policy's failures", dir.URL, []try{
			{"alice", wrong, model.ErrBadCredentials},
			{"alice", wrong, model.ErrBadCredentials},
			{"alice", wrong, signin.ErrLockedOut},
			// Locked: the right password is not even tried.
			{"alice", alice.Password, throttle.ErrLocked},
		}},
		{"an unknown login locks too", dir.URL, []try{
			{"nobody", "x", model.ErrBadCredentials},
			{"nobody", "x", model.ErrBadCredentials},
			{"nobody", "x", signin.ErrLockedOut},
		}},
		{"a success clears the failures", dir.URL, []try{
			{"alice", wrong, model.ErrBadCredentials},
			{"alice", wrong, model.ErrBadCredentials},
			{"alice", alice.Password, nil},
			{"alice", wrong, model.ErrBadCredentials},
			{"alice", wrong, model.ErrBadCredentials},
		}},
		{"unavailable counts nothing", closed, []try{
			{"alice", wrong, model.ErrUpstreamUnavailable},
			{"alice", wrong, model.ErrUpstreamUnavailable},
			{"alice", wrong, model.ErrUpstreamUnavailable},
			{"alice", wrong, model.ErrUpstreamUnavailable},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc, conn := newDirectoryService(t, dir, tc.url)
			for i, a := range tc.tries {
				out, err := svc.Directory(t.Context(), signin.DirectoryAttempt{Conn: conn, Login: a.login, Password: a.password, IP: "192.0.2.7", ClientID: "app"})
				if a.want == nil {
					if err != nil || out.User == nil {
						t.Fatalf("attempt %d: %v", i+1, err)
					}
					continue
				}
				if !errors.Is(err, a.want) {
					t.Fatalf("attempt %d: error = %v, want %v", i+1, err, a.want)
				}
				if a.want == throttle.ErrLocked && errors.Is(err, signin.ErrLockedOut) {
					t.Fatalf("attempt %d: judged while locked: %v", i+1, err)
				}
			}
		})
	}
}

// newDirectoryService is a signin service over a fresh database whose
// accounts lock after 3 failures, and an LDAP connection to url.
func newDirectoryService(t *testing.T, dir *slapdtest.Server, url string) (*signin.Service, *model.ExtIdpConn) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(make([]byte, secret.KeyLen), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := clock.NewFake(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)).Now
	tokens := token.NewSource(rand.Reader)
	accounts := &users.Service{Store: st, Tokens: tokens, Rand: rand.Reader, Now: now}
	rec := audit.NewSync(st, slog.New(slog.DiscardHandler), now)
	upstream := &idp.Service{Store: st, Users: accounts, Sealer: sealer, Tokens: tokens, Rand: rand.Reader, Now: now, Audit: rec,
		LDAP: &ldapconn.Directory{Timeout: 5 * time.Second}, PublicURL: "https://auth.example"}
	x, err := upstream.CreateExtIdp(t.Context(), "Directory", model.IdPLDAP, "")
	if err != nil {
		t.Fatal(err)
	}
	bind := dir.BindPassword
	conn, err := upstream.CreateConn(t.Context(), idp.ConnParams{ExtIdpID: x.ID, Identifier: "staff", Secret: &bind,
		Fields: model.ConnFields{URL: url, BindDN: dir.BindDN, BaseDN: slapdtest.PeopleDN}})
	if err != nil {
		t.Fatal(err)
	}
	policy := throttle.DefaultPolicy
	policy.AccountLockAfter = 3
	limiter := &throttle.Limiter{Store: st, Now: now, Policy: policy, LoginKey: make([]byte, 32)}
	return &signin.Service{Store: st, Users: accounts, Limiter: limiter, Audit: rec, Upstream: upstream}, conn
}
