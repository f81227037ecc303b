package admins_test

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/admins"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

var t0 = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)

type env struct {
	svc   *admins.Service
	st    *sqlite.Store
	clock *clock.Fake
}

// newEnv returns the service on a fresh SQLite store holding users u1..u3.
func newEnv(t *testing.T) *env {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"u1", "u2", "u3"} {
		if err := st.CreateUser(t.Context(), &model.User{ID: id, Username: id, Gender: model.GenderUnknown,
			CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	c := clock.NewFake(t0)
	return &env{st: st, clock: c, svc: &admins.Service{Store: st, Tokens: token.NewSource(rand.Reader), Now: c.Now,
		Audit: audit.NewSync(st, slog.New(slog.DiscardHandler), c.Now)}}
}

// events returns the audit trail's events of typ as "user detail", oldest first.
func (e *env) events(t *testing.T, typ string) []string {
	t.Helper()
	list, err := e.st.ListAuditEvents(t.Context(), store.AuditQuery{Type: typ})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, list[i].UserID+" "+list[i].Detail)
	}
	return out
}

func TestBootstrapAndClaim(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	first, err := e.svc.Bootstrap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(first) {
		t.Fatalf("Bootstrap token %q, want 256 bits in base64url", first)
	}
	stored, err := e.st.GetSetting(ctx, "console.bootstrap")
	if err != nil || strings.Contains(stored, first) || !strings.Contains(stored, token.Hash(first)) {
		t.Errorf("stored %q (%v); want the token's hash, never the token", stored, err)
	}

	// Each start replaces the link.
	second, err := e.svc.Bootstrap(ctx)
	if err != nil || second == "" || second == first {
		t.Fatalf("second Bootstrap = %q, %v; want a new token", second, err)
	}
	for _, c := range []struct {
		what, token string
	}{{"the replaced link", first}, {"no token", ""}, {"a wrong token", second + "x"}} {
		if err := e.svc.Claim(ctx, c.token, "u1"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Claim with %s: %v, want ErrNotFound", c.what, err)
		}
	}
	e.clock.Advance(admins.LinkTTL)
	if err := e.svc.Claim(ctx, second, "u1"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("Claim after %s: %v, want ErrNotFound", admins.LinkTTL, err)
	}

	third, err := e.svc.Bootstrap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(admins.LinkTTL - time.Second)
	if err := e.svc.Claim(ctx, third, "u2"); err != nil {
		t.Fatalf("Claim within the link's life: %v", err)
	}
	if ok, err := e.svc.IsAdmin(ctx, "u2"); err != nil || !ok {
		t.Errorf("IsAdmin of the claimant = %t, %v", ok, err)
	}
	if err := e.svc.Claim(ctx, third, "u1"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("Claim with a used link: %v, want ErrNotFound", err)
	}
	if got := e.events(t, model.AuditAdminGrant); len(got) != 1 || got[0] != "u2 first administrator" {
		t.Errorf("admin.grant events %q, want one for u2, the first administrator", got)
	}

	// With an administrator there is no link.
	if tok, err := e.svc.Bootstrap(ctx); err != nil || tok != "" {
		t.Errorf("Bootstrap with an administrator = %q, %v; want none", tok, err)
	}
	if _, err := e.st.GetSetting(ctx, "console.bootstrap"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the used link is still stored: %v", err)
	}
}

func TestGrantRevoke(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if err := e.svc.Grant(ctx, "nope", "cli"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("Grant to an unknown user: %v, want ErrNotFound", err)
	}
	if err := e.svc.Grant(ctx, "u1", "cli"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	if err := e.svc.Grant(ctx, "u3", "u1"); err != nil {
		t.Fatal(err)
	}
	if list, err := e.svc.List(ctx); err != nil || strings.Join(list, " ") != "u1 u3" {
		t.Errorf("List = %v, %v; want u1 u3", list, err)
	}
	if err := e.svc.Revoke(ctx, "u2", "u1"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("Revoke of a non-administrator: %v, want ErrNotFound", err)
	}
	if err := e.svc.Revoke(ctx, "u1", "u3"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Revoke(ctx, "u3", "cli"); !errors.Is(err, model.ErrConflict) {
		t.Errorf("Revoke of the last administrator: %v, want ErrConflict", err)
	}
	if n, err := e.svc.Count(ctx); err != nil || n != 1 {
		t.Errorf("Count = %d, %v; want 1", n, err)
	}
	for _, c := range []struct {
		id   string
		want bool
	}{{"u1", false}, {"u2", false}, {"u3", true}} {
		if ok, err := e.svc.IsAdmin(ctx, c.id); err != nil || ok != c.want {
			t.Errorf("IsAdmin(%s) = %t, %v; want %t", c.id, ok, err, c.want)
		}
	}
	if got := strings.Join(e.events(t, model.AuditAdminGrant), ", "); got != "u1 by cli, u3 by u1" {
		t.Errorf("admin.grant events %q", got)
	}
	if got := strings.Join(e.events(t, model.AuditAdminRevoke), ", "); got != "u1 by u3" {
		t.Errorf("admin.revoke events %q (a refused revocation records nothing)", got)
	}
}
