package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// MillionUsers is how many users BenchUserPages seeds (issue 18: the
// console's users page and its searches at a million users).
const MillionUsers = 1_000_000

// SeedStart is when BenchUserPages' first seeded user was created.
var SeedStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// BenchUserPages measures the console's user list on s, which holds
// SeedUsers(n, SeedStart): the first page, a page n/2 users deep, the
// count, and a search by each key. Each answer is checked once before it
// is timed.
func BenchUserPages(b *testing.B, s Store, n int) {
	ctx := context.Background()
	const limit = 50
	deep := deepCursor(b, s, n/2)
	mid := SeedUser(n/2+1, SeedStart) // has an email and a phone
	first := seedFirst[(n/2+1)%len(seedFirst)]
	cases := []struct {
		name  string
		q     store.UserPage
		first string // the id of the first user listed
	}{
		{"first-page", store.UserPage{Limit: limit}, SeedUser(n-1, SeedStart).ID},
		{"deep-page", store.UserPage{After: deep, Limit: limit}, SeedUser(n-n/2-1, SeedStart).ID},
		{"search-id", store.UserPage{Search: mid.ID, Limit: limit}, mid.ID},
		{"search-username-prefix", store.UserPage{Search: first + ".", Limit: limit}, ""},
		{"search-username-prefix-deep", store.UserPage{Search: first + ".", After: searchCursor(b, s, first+".", n/len(seedFirst)/2), Limit: limit}, ""},
		{"search-username-exact", store.UserPage{Search: strings.ToUpper(mid.Username), Limit: limit}, mid.ID},
		{"search-email-exact", store.UserPage{Search: mid.Email, Limit: limit}, mid.ID},
		{"search-phone-exact", store.UserPage{Search: mid.Phone, Limit: limit}, mid.ID},
		{"search-phone-prefix", store.UserPage{Search: mid.Phone[:len(mid.Phone)-3], Limit: limit}, ""},
		{"search-none", store.UserPage{Search: "zz-nobody", Limit: limit}, ""},
	}
	for _, c := range cases {
		page, _, err := s.ListUsersPage(ctx, c.q)
		if err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
		if c.first != "" && (len(page) == 0 || page[0].ID != c.first) {
			b.Fatalf("%s: listed %d users, first %v; want %s first", c.name, len(page), firstID(page), c.first)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := s.ListUsersPage(ctx, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("count", func(b *testing.B) {
		for b.Loop() {
			if got, err := s.CountUsers(ctx); err != nil || got != n {
				b.Fatalf("CountUsers = %d, %v; want %d", got, err, n)
			}
		}
	})
}

// deepCursor pages through the newest users, 200 at a time, and returns
// the cursor after the first skip of them.
func deepCursor(b *testing.B, s Store, skip int) string {
	return searchCursor(b, s, "", skip)
}

// searchCursor pages through the users search finds, 200 at a time, and
// returns the cursor after the first skip of them.
func searchCursor(b *testing.B, s Store, search string, skip int) string {
	start := time.Now()
	q := store.UserPage{Search: search}
	for seen := 0; seen < skip; {
		q.Limit = min(store.MaxUserPage, skip-seen)
		page, next, err := s.ListUsersPage(context.Background(), q)
		if err != nil || next == "" {
			b.Fatalf("paging to %d: %d users, next %q, %v", skip, len(page), next, err)
		}
		seen += len(page)
		q.After = next
	}
	b.Logf("paged through %d users (search %q) in %v", skip, search, time.Since(start).Round(time.Millisecond))
	return q.After
}

func firstID(users []*model.User) string {
	if len(users) == 0 {
		return ""
	}
	return users[0].ID
}
