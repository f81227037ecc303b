package storetest

import (
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// LegacyUser is a user as a GenAuth from before usernames were unique by
// their RFC 8265 form stored it: the backends' migration tests insert these
// with their old schema's SQL, migrate, and call CheckLegacyUsernames.
type LegacyUser struct {
	ID, Username string
	Created      time.Time
}

// LegacyUsers hold two groups of usernames equal but for case, width or
// (in the non-ASCII group) case outside ASCII, and two loners, one of which
// the profile refuses.
var LegacyUsers = []LegacyUser{
	{"u-henry", "henry", t0},
	{"u-ada", "ada", t0.Add(time.Second)},
	{"u-Henry", "Henry", t0.Add(time.Minute)},
	{"u-elise", "Élise", t0.Add(2 * time.Minute)},
	{"u-HENRY", "ＨＥＮＲＹ", t0.Add(3 * time.Minute)},
	{"u-elise-2", "élise", t0.Add(4 * time.Minute)},
	{"u-spaced", "he nry", t0.Add(5 * time.Minute)},
}

// LegacyThrottles are throttle rows as older versions stored them: an
// unknown login in clear, and an address.
var LegacyThrottles = []model.Throttle{
	{Key: "login:name:typed secret", Count: 3, WindowStart: t0},
	{Key: "addr:192.0.2.1", Count: 2, WindowStart: t0},
}

// CheckSigninMigration checks a store migrated over LegacyUsers and
// LegacyThrottles: nobody was merged or renamed, DuplicateUsernames reports
// both groups oldest first, an exact username still signs its own user in
// while a mere variant of a duplicated one names nobody, and no new variant
// can be added; the login kept in clear is gone, the address row kept, with
// the default window's expiry.
func CheckSigninMigration(t *testing.T, s Store) {
	t.Helper()
	ctx := t.Context()
	_, err := s.GetThrottle(ctx, "login:name:typed secret")
	wantErr(t, "GetThrottle of the login kept in clear", err, model.ErrNotFound)
	th, err := s.GetThrottle(ctx, "addr:192.0.2.1")
	must(t, "GetThrottle", err)
	if th.Count != 2 || !th.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("address row after the migration: %+v; want count 2, expiring an hour into its window", th)
	}
	for _, lu := range LegacyUsers {
		u, err := s.GetUser(ctx, lu.ID)
		must(t, "GetUser "+lu.ID, err)
		if u.Username != lu.Username {
			t.Errorf("user %s: username %q after the migration; want %q unchanged", lu.ID, u.Username, lu.Username)
		}
	}
	groups, err := s.DuplicateUsernames(ctx)
	must(t, "DuplicateUsernames", err)
	var got [][]string
	for _, g := range groups {
		got = append(got, userIDs(g))
	}
	diff(t, "duplicate usernames", [][]string{{"u-henry", "u-Henry", "u-HENRY"}, {"u-elise", "u-elise-2"}}, got)

	for _, tt := range []struct{ login, want string }{
		{"henry", "u-henry"},
		{"Henry", "u-Henry"},
		{" Henry\u00a0", "u-Henry"},
		{"ＨＥＮＲＹ", "u-HENRY"},
		{"HENRY", ""}, // a variant of three: ambiguous
		{"Élise", "u-elise"},
		{"ÉLISE", ""},
		{"ADA", "u-ada"},
		{"he nry", "u-spaced"},
		{"HE NRY", ""},
	} {
		u, err := s.FindUserByLogin(ctx, tt.login)
		switch {
		case tt.want == "" && !isNotFound(err):
			t.Errorf("FindUserByLogin(%q) = %v, %v; want not found", tt.login, u, err)
		case tt.want != "" && (err != nil || u.ID != tt.want):
			t.Errorf("FindUserByLogin(%q) = %v, %v; want %s", tt.login, u, err, tt.want)
		}
		if tt.want != "" {
			u, err := s.FindUser(ctx, store.ByUsername, tt.login)
			if err != nil || u.ID != tt.want {
				t.Errorf("FindUser(username %q) = %v, %v; want %s", tt.login, u, err, tt.want)
			}
		}
	}
	for _, name := range []string{"hEnRy", "ÉLISE", "Ada"} {
		wantErr(t, "CreateUser "+name, s.CreateUser(ctx, user("u-new", name, "", "", t0.Add(time.Hour))), model.ErrConflict)
	}
	// A marked duplicate can still be edited; renamed, it leaves its group.
	u, err := s.GetUser(ctx, "u-Henry")
	must(t, "GetUser", err)
	u.Nickname, u.UpdatedAt = "the second henry", t0.Add(time.Hour)
	must(t, "UpdateUser of a duplicate", s.UpdateUser(ctx, u, false))
	u.Username = "henry-2"
	must(t, "UpdateUser renaming a duplicate", s.UpdateUser(ctx, u, false))
	groups, err = s.DuplicateUsernames(ctx)
	must(t, "DuplicateUsernames", err)
	got = nil
	for _, g := range groups {
		got = append(got, userIDs(g))
	}
	diff(t, "duplicate usernames after a rename", [][]string{{"u-henry", "u-HENRY"}, {"u-elise", "u-elise-2"}}, got)
	u.Username = "HENRY"
	wantErr(t, "UpdateUser renaming back to a variant", s.UpdateUser(ctx, u, false), model.ErrConflict)
}

func testDuplicateUsernames(t *testing.T, open Opener) {
	s := open(t)
	must(t, "CreateUser", s.CreateUser(t.Context(), user("u1", "henry", "", "", t0)))
	must(t, "CreateUser", s.CreateUser(t.Context(), user("u2", "ada", "", "", t0)))
	groups, err := s.DuplicateUsernames(t.Context())
	must(t, "DuplicateUsernames", err)
	if len(groups) != 0 {
		t.Errorf("DuplicateUsernames of a store that refuses them = %d groups; want none", len(groups))
	}
}
