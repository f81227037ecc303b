package users_test

import (
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/password"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// TestEveryHashingPathIsLimited holds the limiter's only slot and checks
// that each way the service hashes or verifies a password (registration,
// a batch, a password change, a sign-in with a known, an unknown and a
// password-less login) waits for it: with no queue, each is refused with
// model.ErrBusy, and nothing is stored. With the slot free they work.
// newService is a users service on a fresh SQLite database, hashing within limiter.
func newService(t *testing.T, limiter *password.Limiter) *users.Service {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "u.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return &users.Service{Store: st, Tokens: token.NewSource(rand.Reader), Rand: rand.Reader, Now: time.Now, Hashing: limiter}
}

func TestEveryHashingPathIsLimited(t *testing.T) {
	ctx := t.Context()
	limiter := password.NewLimiter(1, 0, time.Hour)
	svc := newService(t, limiter)
	ada, err := svc.Create(ctx, users.CreateParams{Username: "ada", Password: "the right password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, users.CreateParams{Username: "nopass", NoPassword: true}); err != nil {
		t.Fatal(err)
	}
	newPassword := "a new password"
	paths := []struct {
		name string
		fn   func() error
	}{
		{"Create", func() error {
			_, err := svc.Create(ctx, users.CreateParams{Username: "bob", Password: "bob's password"})
			return err
		}},
		{"CreateBatch", func() error {
			_, err := svc.CreateBatch(ctx, []users.CreateParams{{Username: "carol", Password: "carol's password"}})
			return err
		}},
		{"Update with a password", func() error {
			_, err := svc.Update(ctx, ada.ID, users.Patch{Password: &newPassword})
			return err
		}},
		{"Authenticate a known login", func() error { _, err := svc.Authenticate(ctx, "ada", "the right password"); return err }},
		{"Authenticate an unknown login", func() error { _, err := svc.Authenticate(ctx, "nobody", "a password"); return err }},
		{"Authenticate a login without a password", func() error { _, err := svc.Authenticate(ctx, "nopass", "a password"); return err }},
	}
	release, err := limiter.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if err := p.fn(); !errors.Is(err, model.ErrBusy) {
			t.Errorf("%s while hashing is full: %v, want ErrBusy", p.name, err)
		}
	}
	for _, login := range []string{"bob", "carol"} {
		if _, err := svc.Store.FindUserByLogin(ctx, login); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s was stored by a refused call: %v", login, err)
		}
	}
	release()
	if _, err := svc.Authenticate(ctx, "ada", "the right password"); err != nil {
		t.Fatalf("the refused Update changed the password: %v", err)
	}
	// In order: ada's password is changed before she signs in with the old one.
	want := []error{nil, nil, nil, model.ErrBadCredentials, model.ErrBadCredentials, model.ErrBadCredentials}
	for i, p := range paths {
		if err := p.fn(); !errors.Is(err, want[i]) {
			t.Errorf("%s with a free slot: %v, want %v", p.name, err, want[i])
		}
	}
	if n := limiter.Refused(); n != int64(len(paths)) {
		t.Errorf("Refused = %d, want %d", n, len(paths))
	}
}
