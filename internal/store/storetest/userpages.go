package storetest

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// pageUsers are the users of the keyset tests: created two at a time (ties
// broken by id), with usernames, emails and phones that searches share.
func pageUsers() []*model.User {
	logins := []struct{ id, username, email, phone string }{
		{"u01", "Alice", "alice@example.com", "+8613800000001"},
		{"u02", "alicia", "zed@example.com", ""},
		{"u03", "bob", "alice.b@example.com", ""},
		{"u04", "", "", "+8613800000004"},
		{"u05", "ＡＬＩＣＥ２", "", ""}, // fullwidth: the key is alice2
		{"u06", "carol", "Alice.C@Example.com", ""},
		{"u07", "u07-owner", "", ""},
		{"u08", "dave", "dave@example.com", "+14155550108"},
		{"u09", "erin", "", ""},
		{"u10", "frank", "", ""},
		{"u11", "grace", "", ""},
		{"u12", "heidi", "", ""},
	}
	out := make([]*model.User, len(logins))
	for i, l := range logins {
		out[i] = user(l.id, l.username, l.email, l.phone, t0.Add(time.Duration((i+1)/2)*time.Minute).In(east))
	}
	return out
}

// allPages follows the cursors from the first page of q and returns every
// user in order; each page but the last must be full.
func allPages(t *testing.T, s Store, q store.UserPage) []string {
	t.Helper()
	var ids []string
	for range 100 {
		page, next, err := s.ListUsersPage(t.Context(), q)
		must(t, "ListUsersPage", err)
		for _, u := range page {
			ids = append(ids, u.ID)
		}
		if next == "" {
			return ids
		}
		if len(page) != q.Limit {
			t.Fatalf("page of %d users before the last, limit %d", len(page), q.Limit)
		}
		q.After = next
	}
	t.Fatal("the cursors do not end")
	return nil
}

func testUserPages(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	page, next, err := s.ListUsersPage(ctx, store.UserPage{Limit: 10})
	must(t, "ListUsersPage of none", err)
	if len(page) != 0 || next != "" {
		t.Fatalf("empty store: %d users, next %q", len(page), next)
	}
	users := pageUsers()
	must(t, "CreateUsers", s.CreateUsers(ctx, users))

	newest := slices.Clone(users)
	slices.SortFunc(newest, func(a, b *model.User) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	var wantAll []string
	for _, u := range newest {
		wantAll = append(wantAll, u.ID)
	}

	t.Run("Newest", func(t *testing.T) {
		for _, limit := range []int{1, 5, 11, 12, 200} {
			diff(t, "users by pages", wantAll, allPages(t, s, store.UserPage{Limit: limit}))
		}
		page, next, err := s.ListUsersPage(ctx, store.UserPage{Limit: 2})
		must(t, "ListUsersPage", err)
		var want []*model.User
		for _, u := range newest[:2] {
			c := *u
			c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
			want = append(want, &c)
		}
		diff(t, "first page", want, page)
		checkUTC(t, "first page", page[0].CreatedAt)

		// A cursor is a position: a user created or deleted since moves nothing after it.
		must(t, "CreateUser", s.CreateUser(ctx, user("u13", "ivan", "", "", t0.Add(time.Hour))))
		must(t, "DeleteUsers", s.DeleteUsers(ctx, []string{wantAll[3]}))
		rest := allPages(t, s, store.UserPage{After: next, Limit: 3})
		diff(t, "after the cursor", append(slices.Clone(wantAll[2:3]), wantAll[4:]...), rest)
		must(t, "DeleteUsers", s.DeleteUsers(ctx, []string{"u13"}))
		must(t, "CreateUser", s.CreateUser(ctx, newest[3]))
	})

	t.Run("Search", func(t *testing.T) {
		tests := []struct {
			search string
			want   []string
		}{
			// usernames alice, alice2, alicia; then the emails alice.b@ and
			// alice.c@ ('.' before '@'); alice@ is u01's, listed already.
			{"ali", []string{"u01", "u05", "u02", "u03", "u06"}},
			{" ALI ", []string{"u01", "u05", "u02", "u03", "u06"}},
			{"Alice.C@", []string{"u06"}},
			{"alice@example.com", []string{"u01"}},
			{"+86138", []string{"u01", "u04"}},
			{"+8613800000004", []string{"u04"}},
			{"u07", []string{"u07"}}, // by id; its username matches too
			{"u1", nil},              // ids match exactly only (u10, u11, u12)
			{"u07-", []string{"u07"}},
			{"dave", []string{"u08"}},
			{"%", nil},
			{"a_", nil},
			{"nobody", nil},
		}
		for _, tt := range tests {
			for _, limit := range []int{1, 2, 4, 5, 200} {
				got := allPages(t, s, store.UserPage{Search: tt.search, Limit: limit})
				diff(t, "search "+tt.search, tt.want, got)
			}
		}
		page, _, err := s.ListUsersPage(ctx, store.UserPage{Search: "u07", Limit: 1})
		must(t, "ListUsersPage", err)
		if len(page) != 1 || page[0].Username != "u07-owner" || page[0].CreatedAt.Location() != time.UTC {
			t.Errorf("search by id: %+v", page)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		_, listNext, err := s.ListUsersPage(ctx, store.UserPage{Limit: 1})
		must(t, "ListUsersPage", err)
		_, searchNext, err := s.ListUsersPage(ctx, store.UserPage{Search: "ali", Limit: 1})
		must(t, "ListUsersPage", err)
		for _, q := range []store.UserPage{
			{Limit: 0},
			{Limit: store.MaxUserPage + 1},
			{Limit: 1, After: "garbage"},
			{Limit: 1, After: "W10"},                  // []
			{Limit: 1, After: "WyJuZXciLCJ4IiwieSJd"}, // ["new","x","y"]: no time
			{Limit: 1, After: searchNext},
			{Limit: 1, Search: "ali", After: listNext},
		} {
			_, _, err := s.ListUsersPage(ctx, q)
			wantErr(t, "ListUsersPage "+q.After, err, model.ErrInvalidInput)
		}
	})

	n, err := s.CountUsers(ctx)
	must(t, "CountUsers", err)
	if n != len(users) {
		t.Errorf("CountUsers = %d, want %d", n, len(users))
	}
}
