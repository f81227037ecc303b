package users_test

import (
	"errors"
	"runtime"
	"testing"

	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/password"
)

// TestUnknownLoginCostsAWrongPassword: a sign-in with an unknown login, or
// with a login that has no password, does the same argon2id work as a wrong
// password, so neither time nor memory tells which logins exist. argon2id's
// work is memory-hard: each verification allocates its memory parameter
// once, so the bytes a sign-in allocates measure the hashing it did, without
// a clock and whatever the machine is doing.
func TestUnknownLoginCostsAWrongPassword(t *testing.T) {
	ctx := t.Context()
	svc := newService(t, password.NewDefaultLimiter(0))
	if _, err := svc.Create(ctx, users.CreateParams{Username: "ada", Password: "the right password"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, users.CreateParams{Username: "nopass", NoPassword: true}); err != nil {
		t.Fatal(err)
	}
	const rounds = 3
	allocated := func(login string) uint64 {
		t.Helper()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range rounds {
			if _, err := svc.Authenticate(ctx, login, "a wrong password"); !errors.Is(err, model.ErrBadCredentials) {
				t.Fatalf("Authenticate(%q): %v, want ErrBadCredentials", login, err)
			}
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	wrong := allocated("ada")
	if wrong < rounds*password.MemoryPerHash {
		t.Fatalf("%d wrong passwords allocated %d bytes, less than %d verifications' memory", rounds, wrong, rounds)
	}
	for _, login := range []string{"nobody-by-this-name", "nopass"} {
		got := allocated(login)
		// The hashing is all but a few kilobytes of each sign-in.
		if diff := int64(got) - int64(wrong); diff > password.MemoryPerHash/10 || diff < -password.MemoryPerHash/10 {
			t.Errorf("%d sign-ins as %q allocated %d bytes, %d wrong passwords %d: not the same hashing work", rounds, login, got, rounds, wrong)
		}
	}
}
