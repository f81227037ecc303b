package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func extIdp(id, kind string, created time.Time) *model.ExtIdp {
	return &model.ExtIdp{ID: id, Name: "provider " + id, Type: kind, Logo: "https://idp.example/" + id + ".png",
		CreatedAt: created}
}

func conn(id, extIdpID, identifier string, created time.Time) *model.ExtIdpConn {
	return &model.ExtIdpConn{ID: id, ExtIdpID: extIdpID, Identifier: identifier, DisplayName: "Sign in " + id,
		Fields: model.ConnFields{Issuer: "https://idp.example", ClientID: "client-" + id,
			Scopes: []string{"openid", "email"}, Mapping: map[string]string{model.ProfileUsername: "login"}},
		SealedSecret: []byte("sealed " + id), CreatedAt: created, UpdatedAt: created}
}

func identity(id, userID, extIdpID, subject string, created time.Time) *model.Identity {
	return &model.Identity{ID: id, UserID: userID, ExtIdpID: extIdpID, ConnID: "c-" + extIdpID, Provider: model.IdPOIDC,
		Subject: subject, Profile: map[string]any{"sub": subject, "email_verified": true, "n": 1.5},
		SealedTokens: []byte("tokens " + id), CreatedAt: created, UpdatedAt: created}
}

func testExtIdps(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	oidc, ldap := extIdp("p1", model.IdPOIDC, t0.In(east)), extIdp("p2", model.IdPLDAP, t0.Add(time.Second))
	ldap.Logo = ""
	for _, p := range []*model.ExtIdp{ldap, oidc} {
		must(t, "CreateExtIdp "+p.ID, s.CreateExtIdp(ctx, p))
	}
	wantErr(t, "CreateExtIdp with a taken id", s.CreateExtIdp(ctx, extIdp("p1", model.IdPAD, t0)), model.ErrConflict)
	got, err := s.GetExtIdp(ctx, "p1")
	must(t, "GetExtIdp", err)
	diff(t, "GetExtIdp", oidc, got)
	checkUTC(t, "GetExtIdp", got.CreatedAt)
	_, err = s.GetExtIdp(ctx, "nope")
	wantErr(t, "GetExtIdp of an unknown id", err, model.ErrNotFound)
	list, err := s.ListExtIdps(ctx)
	must(t, "ListExtIdps", err)
	diff(t, "ListExtIdps", []*model.ExtIdp{oidc, ldap}, list)

	// UpdateExtIdp changes the name and logo, never the type.
	changed := *oidc
	changed.Name, changed.Logo, changed.Type = "Renamed", "", model.IdPAD
	must(t, "UpdateExtIdp", s.UpdateExtIdp(ctx, &changed))
	got, err = s.GetExtIdp(ctx, "p1")
	must(t, "GetExtIdp", err)
	changed.Type = model.IdPOIDC
	diff(t, "the updated ExtIdp", &changed, got)
	wantErr(t, "UpdateExtIdp of an unknown id", s.UpdateExtIdp(ctx, extIdp("nope", model.IdPOIDC, t0)), model.ErrNotFound)
	wantErr(t, "DeleteExtIdp of an unknown id", s.DeleteExtIdp(ctx, "nope"), model.ErrNotFound)
}

func testExtIdpConns(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	must(t, "CreateExtIdp", s.CreateExtIdp(ctx, extIdp("p1", model.IdPOIDC, t0)))
	must(t, "CreateExtIdp", s.CreateExtIdp(ctx, extIdp("p2", model.IdPLDAP, t0)))
	c1, c2, c3 := conn("c1", "p1", "corp", t0.In(east)), conn("c2", "p2", "ldap", t0.Add(time.Second)),
		conn("c3", "p1", "corp-2", t0.Add(2*time.Second))
	c2.SealedSecret, c2.Fields, c2.LoginOnly = nil, model.ConnFields{URL: "ldaps://dir.example:636",
		BaseDN: "dc=example", UserFilter: "(uid=%s)", StartTLS: true, TimeoutSeconds: 5, TrustEmail: true}, true
	c2.Type = model.IdPOIDC // the ExtIdp's type wins
	for _, c := range []*model.ExtIdpConn{c3, c2, c1} {
		must(t, "CreateExtIdpConn "+c.ID, s.CreateExtIdpConn(ctx, c))
	}
	if c1.Type != model.IdPOIDC || c2.Type != model.IdPLDAP {
		t.Errorf("the connections' types are %q and %q, want their ExtIdps'", c1.Type, c2.Type)
	}
	wantErr(t, "CreateExtIdpConn of an unknown ExtIdp", s.CreateExtIdpConn(ctx, conn("c4", "nope", "other", t0)),
		model.ErrNotFound)
	wantErr(t, "CreateExtIdpConn with a taken identifier", s.CreateExtIdpConn(ctx, conn("c4", "p1", "corp", t0)),
		model.ErrConflict)
	wantErr(t, "CreateExtIdpConn with a taken id", s.CreateExtIdpConn(ctx, conn("c1", "p2", "other", t0)),
		model.ErrConflict)

	got, err := s.GetExtIdpConn(ctx, "c2")
	must(t, "GetExtIdpConn", err)
	diff(t, "GetExtIdpConn", c2, got)
	if got.SealedSecret != nil {
		t.Errorf("a connection without a secret reads back %q, want nil", got.SealedSecret)
	}
	got, err = s.GetExtIdpConnByIdentifier(ctx, "corp")
	must(t, "GetExtIdpConnByIdentifier", err)
	diff(t, "GetExtIdpConnByIdentifier", c1, got)
	checkUTC(t, "GetExtIdpConnByIdentifier", got.CreatedAt, got.UpdatedAt)
	_, err = s.GetExtIdpConn(ctx, "nope")
	wantErr(t, "GetExtIdpConn of an unknown id", err, model.ErrNotFound)
	_, err = s.GetExtIdpConnByIdentifier(ctx, "nope")
	wantErr(t, "GetExtIdpConnByIdentifier of an unknown identifier", err, model.ErrNotFound)
	list, err := s.ListExtIdpConns(ctx, "p1")
	must(t, "ListExtIdpConns", err)
	diff(t, "p1's connections", []*model.ExtIdpConn{c1, c3}, list)
	list, err = s.ListExtIdpConns(ctx, "")
	must(t, "ListExtIdpConns", err)
	diff(t, "every connection", []*model.ExtIdpConn{c1, c2, c3}, list)

	// UpdateExtIdpConn keeps the ExtIdp, the type and CreatedAt.
	changed := *c1
	changed.Identifier, changed.DisplayName, changed.Logo, changed.LoginOnly = "corp-new", "New", "https://l", true
	changed.Fields = model.ConnFields{Issuer: "https://other.example", ClientID: "x"}
	changed.SealedSecret, changed.UpdatedAt = nil, t0.Add(time.Hour)
	changed.ExtIdpID, changed.Type, changed.CreatedAt = "p2", model.IdPLDAP, t0.Add(time.Hour)
	must(t, "UpdateExtIdpConn", s.UpdateExtIdpConn(ctx, &changed))
	got, err = s.GetExtIdpConn(ctx, "c1")
	must(t, "GetExtIdpConn", err)
	changed.ExtIdpID, changed.Type, changed.CreatedAt = c1.ExtIdpID, c1.Type, c1.CreatedAt
	diff(t, "the updated connection", &changed, got)
	_, err = s.GetExtIdpConnByIdentifier(ctx, "corp")
	wantErr(t, "GetExtIdpConnByIdentifier of the old identifier", err, model.ErrNotFound)
	taken := changed
	taken.Identifier = "ldap"
	wantErr(t, "UpdateExtIdpConn to a taken identifier", s.UpdateExtIdpConn(ctx, &taken), model.ErrConflict)
	wantErr(t, "UpdateExtIdpConn of an unknown id", s.UpdateExtIdpConn(ctx, conn("nope", "p1", "free", t0)),
		model.ErrNotFound)
}

func testConnEnablement(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	must(t, "CreateExtIdp", s.CreateExtIdp(ctx, extIdp("p1", model.IdPOIDC, t0)))
	c1, c2 := conn("c1", "p1", "one", t0.Add(time.Second)), conn("c2", "p1", "two", t0)
	for _, c := range []*model.ExtIdpConn{c1, c2} {
		must(t, "CreateExtIdpConn", s.CreateExtIdpConn(ctx, c))
	}
	for _, id := range []string{"app-b", "app-a"} {
		must(t, "CreateApplication", s.CreateApplication(ctx, application(id, t0)))
	}
	wantErr(t, "SetConnEnabled for an unknown application", s.SetConnEnabled(ctx, "c1", "nope", true), model.ErrNotFound)
	wantErr(t, "SetConnEnabled of an unknown connection", s.SetConnEnabled(ctx, "nope", "app-a", true), model.ErrNotFound)
	wantErr(t, "SetConnEnabled(false) of an unknown connection", s.SetConnEnabled(ctx, "nope", "app-a", false),
		model.ErrNotFound)
	must(t, "SetConnEnabled", s.SetConnEnabled(ctx, "c1", "app-a", true))
	must(t, "SetConnEnabled twice", s.SetConnEnabled(ctx, "c1", "app-a", true))
	must(t, "SetConnEnabled", s.SetConnEnabled(ctx, "c2", "app-a", true))
	must(t, "SetConnEnabled", s.SetConnEnabled(ctx, "c1", "app-b", true))
	enabled := func(app string, want ...*model.ExtIdpConn) {
		t.Helper()
		list, err := s.ListEnabledConns(ctx, app)
		must(t, "ListEnabledConns", err)
		diff(t, app+"'s connections", want, list)
	}
	apps := func(connID string, want ...string) {
		t.Helper()
		list, err := s.ListConnApps(ctx, connID)
		must(t, "ListConnApps", err)
		diff(t, connID+"'s applications", want, list)
	}
	enabled("app-a", c2, c1) // oldest first
	enabled("nope")
	apps("c1", "app-a", "app-b")
	must(t, "SetConnEnabled(false)", s.SetConnEnabled(ctx, "c1", "app-b", false))
	must(t, "SetConnEnabled(false) twice", s.SetConnEnabled(ctx, "c1", "app-b", false))
	apps("c1", "app-a")
	enabled("app-b")

	// Deleting an application or a connection removes its enablements.
	must(t, "SetConnEnabled", s.SetConnEnabled(ctx, "c1", "app-b", true))
	must(t, "DeleteApplication", s.DeleteApplication(ctx, "app-a"))
	apps("c1", "app-b")
	apps("c2")
	must(t, "CreateApplication again", s.CreateApplication(ctx, application("app-a", t0)))
	enabled("app-a")
	must(t, "DeleteExtIdpConn", s.DeleteExtIdpConn(ctx, "c1"))
	wantErr(t, "DeleteExtIdpConn again", s.DeleteExtIdpConn(ctx, "c1"), model.ErrNotFound)
	enabled("app-b")
	must(t, "CreateExtIdpConn again", s.CreateExtIdpConn(ctx, conn("c1", "p1", "one", t0)))
	apps("c1")
}

func testIdentities(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	for _, p := range []*model.ExtIdp{extIdp("p1", model.IdPOIDC, t0), extIdp("p2", model.IdPOIDC, t0)} {
		must(t, "CreateExtIdp", s.CreateExtIdp(ctx, p))
	}
	for _, u := range []*model.User{user("u1", "ada", "", "", t0), user("u2", "bob", "", "", t0)} {
		must(t, "CreateUser", s.CreateUser(ctx, u))
	}
	i1, i2 := identity("i1", "u1", "p1", "sub-1", t0.Add(time.Second)), identity("i2", "u1", "p2", "sub-1", t0.In(east))
	i2.SealedTokens, i2.Profile = nil, nil
	for _, i := range []*model.Identity{i1, i2} {
		must(t, "CreateIdentity "+i.ID, s.CreateIdentity(ctx, i))
	}
	wantErr(t, "CreateIdentity of an unknown user", s.CreateIdentity(ctx, identity("i3", "nope", "p1", "sub-3", t0)),
		model.ErrNotFound)
	wantErr(t, "CreateIdentity at an unknown ExtIdp", s.CreateIdentity(ctx, identity("i3", "u2", "nope", "sub-3", t0)),
		model.ErrNotFound)
	wantErr(t, "CreateIdentity of an upstream account linked to another user",
		s.CreateIdentity(ctx, identity("i3", "u2", "p1", "sub-1", t0)), model.ErrConflict)
	wantErr(t, "CreateIdentity of a second account at one ExtIdp",
		s.CreateIdentity(ctx, identity("i3", "u1", "p1", "sub-3", t0)), model.ErrConflict)
	wantErr(t, "CreateIdentity with a taken id", s.CreateIdentity(ctx, identity("i1", "u2", "p1", "sub-3", t0)),
		model.ErrConflict)

	got, err := s.FindIdentity(ctx, "p1", "sub-1")
	must(t, "FindIdentity", err)
	diff(t, "FindIdentity", i1, got)
	got, err = s.FindIdentity(ctx, "p2", "sub-1")
	must(t, "FindIdentity", err)
	diff(t, "FindIdentity", i2, got)
	if got.SealedTokens != nil {
		t.Errorf("an identity without tokens reads back %q, want nil", got.SealedTokens)
	}
	checkUTC(t, "FindIdentity", got.CreatedAt, got.UpdatedAt)
	for _, k := range [][2]string{{"p1", "sub-2"}, {"nope", "sub-1"}} {
		_, err := s.FindIdentity(ctx, k[0], k[1])
		wantErr(t, "FindIdentity of an unknown account", err, model.ErrNotFound)
	}
	list, err := s.ListIdentities(ctx, "u1")
	must(t, "ListIdentities", err)
	diff(t, "u1's identities", []*model.Identity{i2, i1}, list)

	// UpdateIdentity changes what a sign-in brings, nothing else.
	changed := *i1
	changed.ConnID, changed.Profile, changed.SealedTokens = "c-other", map[string]any{"name": "Ada"}, nil
	changed.UpdatedAt = t0.Add(time.Hour)
	changed.UserID, changed.Subject, changed.ExtIdpID = "u2", "sub-9", "p2"
	must(t, "UpdateIdentity", s.UpdateIdentity(ctx, &changed))
	got, err = s.FindIdentity(ctx, "p1", "sub-1")
	must(t, "FindIdentity", err)
	changed.UserID, changed.Subject, changed.ExtIdpID = i1.UserID, i1.Subject, i1.ExtIdpID
	diff(t, "the updated identity", &changed, got)
	wantErr(t, "UpdateIdentity of an unknown id", s.UpdateIdentity(ctx, identity("nope", "u1", "p1", "s", t0)),
		model.ErrNotFound)

	wantErr(t, "DeleteIdentity of another user's", s.DeleteIdentity(ctx, "u2", "p1", false), model.ErrNotFound)
	must(t, "DeleteIdentity", s.DeleteIdentity(ctx, "u1", "p1", false))
	wantErr(t, "DeleteIdentity again", s.DeleteIdentity(ctx, "u1", "p1", false), model.ErrNotFound)
	must(t, "CreateIdentity of the freed account for another user", s.CreateIdentity(ctx, identity("i3", "u2", "p1", "sub-1", t0)))

	// keepOne: of two identities removed at once, one stays.
	must(t, "CreateUser", s.CreateUser(ctx, user("u4", "cy", "", "", t0)))
	must(t, "CreateIdentity", s.CreateIdentity(ctx, identity("k1", "u4", "p1", "sub-k1", t0)))
	must(t, "CreateIdentity", s.CreateIdentity(ctx, identity("k2", "u4", "p2", "sub-k2", t0)))
	errs := make(chan error, 2)
	for _, p := range []string{"p1", "p2"} {
		go func() { errs <- s.DeleteIdentity(ctx, "u4", p, true) }()
	}
	var refused int
	for range 2 {
		if err := <-errs; errors.Is(err, model.ErrConflict) {
			refused++
		} else if err != nil {
			t.Fatalf("DeleteIdentity keeping one: %v", err)
		}
	}
	left, err := s.ListIdentities(ctx, "u4")
	must(t, "ListIdentities", err)
	if refused != 1 || len(left) != 1 {
		t.Errorf("two removals at once keeping one: %d refused, %d left; want 1 and 1", refused, len(left))
	}
	wantErr(t, "DeleteIdentity keeping one of none", s.DeleteIdentity(ctx, "u5", "p1", true), model.ErrNotFound)
}

func testCreateUserWithIdentity(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	must(t, "CreateExtIdp", s.CreateExtIdp(ctx, extIdp("p1", model.IdPOIDC, t0)))
	must(t, "CreateUser", s.CreateUser(ctx, user("u1", "ada", "ada@example.com", "", t0)))
	must(t, "CreateIdentity", s.CreateIdentity(ctx, identity("i1", "u1", "p1", "sub-1", t0)))
	absent := func(what, userID, subject string) {
		t.Helper()
		if _, err := s.GetUser(ctx, userID); !isNotFound(err) {
			t.Errorf("%s: the user was stored (%v)", what, err)
		}
		if i, err := s.FindIdentity(ctx, "p1", subject); !isNotFound(err) {
			t.Errorf("%s: the identity was stored: %v, %v", what, i, err)
		}
	}
	newUser := user("u2", "", "ADA@example.com", "", t0)
	wantErr(t, "CreateUserWithIdentity with a taken email",
		s.CreateUserWithIdentity(ctx, newUser, identity("i2", "u2", "p1", "sub-2", t0)), model.ErrConflict)
	absent("a taken email", "u2", "sub-2")
	newUser.Email = "bob@example.com"
	wantErr(t, "CreateUserWithIdentity of a linked upstream account",
		s.CreateUserWithIdentity(ctx, newUser, identity("i2", "u2", "p1", "sub-1", t0)), model.ErrConflict)
	if _, err := s.GetUser(ctx, "u2"); !isNotFound(err) {
		t.Errorf("a linked upstream account: the user was stored (%v)", err)
	}
	wantErr(t, "CreateUserWithIdentity at an unknown ExtIdp",
		s.CreateUserWithIdentity(ctx, newUser, identity("i2", "u2", "nope", "sub-2", t0)), model.ErrNotFound)
	absent("an unknown ExtIdp", "u2", "sub-2")

	ident := identity("i2", "u2", "p1", "sub-2", t0)
	must(t, "CreateUserWithIdentity", s.CreateUserWithIdentity(ctx, newUser, ident))
	got, err := s.GetUser(ctx, "u2")
	must(t, "GetUser", err)
	diff(t, "the new user", newUser, got)
	gotIdent, err := s.FindIdentity(ctx, "p1", "sub-2")
	must(t, "FindIdentity", err)
	diff(t, "the new identity", ident, gotIdent)
}

// testIdPCascades: deleting an ExtIdp takes its connections, their
// enablements and its identities; deleting a user its identities.
func testIdPCascades(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	for _, p := range []*model.ExtIdp{extIdp("p1", model.IdPOIDC, t0), extIdp("p2", model.IdPOIDC, t0)} {
		must(t, "CreateExtIdp", s.CreateExtIdp(ctx, p))
	}
	must(t, "CreateApplication", s.CreateApplication(ctx, application("app", t0)))
	for _, c := range []*model.ExtIdpConn{conn("c1", "p1", "one", t0), conn("c2", "p2", "two", t0)} {
		must(t, "CreateExtIdpConn", s.CreateExtIdpConn(ctx, c))
		must(t, "SetConnEnabled", s.SetConnEnabled(ctx, c.ID, "app", true))
	}
	for _, u := range []*model.User{user("u1", "ada", "", "", t0), user("u2", "bob", "", "", t0)} {
		must(t, "CreateUser", s.CreateUser(ctx, u))
	}
	for _, i := range []*model.Identity{identity("i1", "u1", "p1", "a", t0), identity("i2", "u1", "p2", "a", t0),
		identity("i3", "u2", "p1", "b", t0)} {
		must(t, "CreateIdentity", s.CreateIdentity(ctx, i))
	}
	count := func(what, userID string, want int) {
		t.Helper()
		list, err := s.ListIdentities(ctx, userID)
		must(t, "ListIdentities", err)
		if len(list) != want {
			t.Errorf("%s: %s has %d identities, want %d", what, userID, len(list), want)
		}
	}

	// A connection's identities stay when it goes: they are the ExtIdp's.
	must(t, "DeleteExtIdpConn", s.DeleteExtIdpConn(ctx, "c1"))
	count("after DeleteExtIdpConn", "u1", 2)
	must(t, "CreateExtIdpConn", s.CreateExtIdpConn(ctx, conn("c1", "p1", "one", t0)))
	must(t, "SetConnEnabled", s.SetConnEnabled(ctx, "c1", "app", true))

	must(t, "DeleteExtIdp", s.DeleteExtIdp(ctx, "p1"))
	_, err := s.GetExtIdpConn(ctx, "c1")
	wantErr(t, "GetExtIdpConn after DeleteExtIdp", err, model.ErrNotFound)
	if list, err := s.ListEnabledConns(ctx, "app"); err != nil || len(list) != 1 || list[0].ID != "c2" {
		t.Errorf("the application's connections after DeleteExtIdp = %v, %v; want c2", list, err)
	}
	count("after DeleteExtIdp", "u1", 1)
	count("after DeleteExtIdp", "u2", 0)
	_, err = s.GetExtIdp(ctx, "p1")
	wantErr(t, "GetExtIdp after DeleteExtIdp", err, model.ErrNotFound)
	must(t, "CreateExtIdp again", s.CreateExtIdp(ctx, extIdp("p1", model.IdPOIDC, t0)))
	if list, err := s.ListExtIdpConns(ctx, "p1"); err != nil || len(list) != 0 {
		t.Errorf("a recreated ExtIdp's connections = %v, %v; want none", list, err)
	}
	must(t, "CreateIdentity at the recreated ExtIdp", s.CreateIdentity(ctx, identity("i4", "u2", "p1", "a", t0)))

	must(t, "DeleteUsers", s.DeleteUsers(ctx, []string{"u1"}))
	count("after DeleteUsers", "u1", 0)
	if _, err := s.FindIdentity(ctx, "p2", "a"); !isNotFound(err) {
		t.Errorf("a deleted user's identity is still found: %v", err)
	}
	count("another user's after DeleteUsers", "u2", 1)
}
