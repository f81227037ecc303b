package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/postgres"
)

// BenchmarkUsersPage measures the users list as an administrator's browser
// gets it, rendered page included, over a million users on each backend
// (GENAUTH_BENCH_USERS sets another number): the first page and a search
// by each key. The store's own benchmark (storetest.BenchUserPages) adds
// deep pages. PostgreSQL is skipped when unreachable.
func BenchmarkUsersPage(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchUsersPage(b, newHarness(b)) })
	b.Run("postgres", func(b *testing.B) {
		ctx := context.Background()
		st, err := postgres.Open(ctx, pgtest.NewDatabase(b), postgres.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		if err := st.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		benchUsersPage(b, newHarnessOn(b, st))
	})
}

func benchUsersPage(b *testing.B, hs *harness) {
	n := 1_000_000
	if s := os.Getenv("GENAUTH_BENCH_USERS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1000 {
			b.Fatalf("GENAUTH_BENCH_USERS=%q: want a number of at least 1000", s)
		}
	}
	_, br := hs.admin("root")
	start := time.Now()
	const batch = 10_000
	for i := 0; i < n; i += batch {
		list := make([]*model.User, 0, batch)
		for j := i; j < min(i+batch, n); j++ {
			list = append(list, benchUser(j))
		}
		if err := hs.store.CreateUsers(b.Context(), list); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d users in %v", n, time.Since(start).Round(time.Second))
	mid := n / 2
	for mid%7 == 0 || mid%5 == 0 { // one with an email and a phone
		mid++
	}
	u := benchUser(mid)
	for _, c := range []struct{ name, q string }{
		{"first-page", ""},
		{"search-id", u.ID},
		{"search-username-prefix", u.Username[:len(u.Username)-3]},
		{"search-email-exact", u.Email},
		{"search-phone-prefix", u.Phone[:len(u.Phone)-3]},
		{"search-none", "zz-nobody"},
	} {
		target := usersPath
		if c.q != "" {
			target += "?" + url.Values{"q": {c.q}}.Encode()
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				resp := hs.get(target, br)
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", target, resp.StatusCode)
				}
			}
		})
	}
}

// benchUser is the i-th seeded user: a username, an email for all but
// every seventh, a phone for all but every fifth, created a second apart
// (before the administrator), no password.
func benchUser(i int) *model.User {
	name := fmt.Sprintf("member.%07d", i)
	u := &model.User{ID: fmt.Sprintf("b%023x", i), Username: name, Name: "Member " + strconv.Itoa(i),
		Status: model.UserActivated, SourceType: model.UserSourceAdmin, Gender: model.GenderUnknown,
		CreatedAt: testNow.Add(time.Duration(i-10_000_000) * time.Second)}
	if i%7 != 0 {
		u.Email = name + "@example.org"
	}
	if i%5 != 0 {
		u.Phone = fmt.Sprintf("+86139%08d", i)
	}
	u.UpdatedAt = u.CreatedAt
	return u
}
