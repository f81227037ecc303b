package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func testRoles(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	for _, u := range []*model.User{user("u1", "ada", "", "", t0), user("u2", "bob", "", "", t0), user("u3", "eve", "", "", t0)} {
		must(t, "CreateUser", s.CreateUser(ctx, u))
	}
	wantErr(t, "GrantRole to an unknown user", s.GrantRole(ctx, "nope", model.RoleAdmin, t0), model.ErrNotFound)
	must(t, "GrantRole", s.GrantRole(ctx, "u2", model.RoleAdmin, t0.In(east)))
	must(t, "GrantRole", s.GrantRole(ctx, "u1", model.RoleAdmin, t0.Add(time.Second)))
	must(t, "GrantRole again", s.GrantRole(ctx, "u2", model.RoleAdmin, t0.Add(time.Hour)))
	must(t, "GrantRole of another role", s.GrantRole(ctx, "u3", "auditor", t0))
	list, err := s.ListRole(ctx, model.RoleAdmin)
	must(t, "ListRole", err)
	diff(t, "ListRole, oldest grant first (a second grant keeps the first's time)", []string{"u2", "u1"}, list)
	if n, err := s.CountRole(ctx, model.RoleAdmin); err != nil || n != 2 {
		t.Errorf("CountRole = %d, %v; want 2", n, err)
	}
	for _, c := range []struct {
		user, role string
		want       bool
	}{{"u1", model.RoleAdmin, true}, {"u3", model.RoleAdmin, false}, {"u3", "auditor", true}, {"nope", model.RoleAdmin, false}} {
		if got, err := s.HasRole(ctx, c.user, c.role); err != nil || got != c.want {
			t.Errorf("HasRole(%s, %s) = %t, %v; want %t", c.user, c.role, got, err, c.want)
		}
	}
	if list, err := s.ListRole(ctx, "nobody's"); err != nil || len(list) != 0 {
		t.Errorf("ListRole of a role no one holds = %v, %v; want none", list, err)
	}

	wantErr(t, "RevokeRole of a role the user lacks", s.RevokeRole(ctx, "u3", model.RoleAdmin), model.ErrNotFound)
	must(t, "RevokeRole", s.RevokeRole(ctx, "u2", model.RoleAdmin))
	wantErr(t, "RevokeRole of the last administrator", s.RevokeRole(ctx, "u1", model.RoleAdmin), model.ErrConflict)
	wantErr(t, "RevokeRole of a non-administrator when one is left", s.RevokeRole(ctx, "u2", model.RoleAdmin), model.ErrNotFound)
	must(t, "RevokeRole of another role's last holder", s.RevokeRole(ctx, "u3", "auditor"))
	if ok, err := s.HasRole(ctx, "u1", model.RoleAdmin); err != nil || !ok {
		t.Errorf("the last administrator after the refused revocation: %t, %v", ok, err)
	}

	// Deleting a user deletes their roles.
	must(t, "GrantRole", s.GrantRole(ctx, "u2", model.RoleAdmin, t0))
	must(t, "DeleteUsers", s.DeleteUsers(ctx, []string{"u2"}))
	must(t, "CreateUser again", s.CreateUser(ctx, user("u2", "bob", "", "", t0)))
	if ok, err := s.HasRole(ctx, "u2", model.RoleAdmin); err != nil || ok {
		t.Errorf("a deleted user's id holds the role again: %t, %v", ok, err)
	}
}

// testConcurrentRevokes: revoking every administrator at once leaves one.
func testConcurrentRevokes(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	const workers = 6
	for i := range workers {
		id := fmt.Sprintf("u%d", i)
		must(t, "CreateUser", s.CreateUser(ctx, user(id, id, "", "", t0)))
		must(t, "GrantRole", s.GrantRole(ctx, id, model.RoleAdmin, t0))
	}
	var (
		wg            sync.WaitGroup
		mu            sync.Mutex
		done, refused int
	)
	for i := range workers {
		wg.Go(func() {
			err := s.RevokeRole(ctx, fmt.Sprintf("u%d", i), model.RoleAdmin)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				done++
			case errors.Is(err, model.ErrConflict):
				refused++
			default:
				t.Errorf("RevokeRole: %v", err)
			}
		})
	}
	wg.Wait()
	n, err := s.CountRole(ctx, model.RoleAdmin)
	must(t, "CountRole", err)
	if done != workers-1 || refused != 1 || n != 1 {
		t.Errorf("concurrent revocations: %d done, %d refused, %d administrators left; want %d, 1, 1", done, refused, n, workers-1)
	}
}

func testClaimFirstAdmin(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	for _, u := range []*model.User{user("u1", "ada", "", "", t0), user("u2", "bob", "", "", t0)} {
		must(t, "CreateUser", s.CreateUser(ctx, u))
	}
	expires := t0.Add(24 * time.Hour)
	wantErr(t, "ClaimFirstAdmin with no link", s.ClaimFirstAdmin(ctx, "h1", "u1", t0), model.ErrNotFound)
	must(t, "SetBootstrap", s.SetBootstrap(ctx, "h1", expires.In(east), t0))
	must(t, "SetBootstrap replacing it", s.SetBootstrap(ctx, "h2", expires, t0))
	wantErr(t, "ClaimFirstAdmin with the replaced link", s.ClaimFirstAdmin(ctx, "h1", "u1", t0), model.ErrNotFound)
	wantErr(t, "ClaimFirstAdmin at the expiry", s.ClaimFirstAdmin(ctx, "h2", "u1", expires), model.ErrNotFound)
	wantErr(t, "ClaimFirstAdmin for an unknown user", s.ClaimFirstAdmin(ctx, "h2", "nope", t0), model.ErrNotFound)
	must(t, "ClaimFirstAdmin", s.ClaimFirstAdmin(ctx, "h2", "u1", expires.Add(-time.Millisecond)))
	if list, err := s.ListRole(ctx, model.RoleAdmin); err != nil || len(list) != 1 || list[0] != "u1" {
		t.Errorf("administrators after the claim = %v, %v; want u1", list, err)
	}
	wantErr(t, "ClaimFirstAdmin a second time", s.ClaimFirstAdmin(ctx, "h2", "u2", t0), model.ErrNotFound)

	// A fresh link is refused while an administrator exists.
	must(t, "SetBootstrap", s.SetBootstrap(ctx, "h3", expires, t0))
	wantErr(t, "ClaimFirstAdmin with an administrator", s.ClaimFirstAdmin(ctx, "h3", "u2", t0), model.ErrConflict)
	if ok, err := s.HasRole(ctx, "u2", model.RoleAdmin); err != nil || ok {
		t.Errorf("the refused claimant is an administrator: %t, %v", ok, err)
	}
}

// testConcurrentFirstAdminClaims: of concurrent claims of one link exactly one wins.
func testConcurrentFirstAdminClaims(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	const workers = 8
	for i := range workers {
		id := fmt.Sprintf("u%d", i)
		must(t, "CreateUser", s.CreateUser(ctx, user(id, id, "", "", t0)))
	}
	must(t, "SetBootstrap", s.SetBootstrap(ctx, "h", t0.Add(time.Hour), t0))
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		won, lost int
	)
	for i := range workers {
		wg.Go(func() {
			err := s.ClaimFirstAdmin(ctx, "h", fmt.Sprintf("u%d", i), t0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, model.ErrNotFound), errors.Is(err, model.ErrConflict):
				lost++
			default:
				t.Errorf("ClaimFirstAdmin: %v", err)
			}
		})
	}
	wg.Wait()
	n, err := s.CountRole(ctx, model.RoleAdmin)
	must(t, "CountRole", err)
	if won != 1 || lost != workers-1 || n != 1 {
		t.Errorf("concurrent claims: %d won, %d lost, %d administrators; want 1, %d, 1", won, lost, n, workers-1)
	}
}
