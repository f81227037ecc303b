package passcode_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/model"
)

func TestGrant(t *testing.T) {
	e := newEnv(t, bytes.Repeat([]byte{7}, 16*8))
	ctx := t.Context()
	grant := func(purpose, user, addr string) string {
		t.Helper()
		tok, err := e.svc.Grant(ctx, purpose, user, addr)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tok := grant(passcode.GrantUpdateEmail, "u1", "new@example.com")
	if bytes.Contains([]byte(tok), []byte("new@example.com")) {
		t.Fatal("the token shows its address")
	}
	for _, tt := range []struct {
		name, purpose, user, tok string
		want                     error
	}{
		{"another user", passcode.GrantUpdateEmail, "u2", tok, model.ErrWrongCode},
		{"another purpose", passcode.GrantDeleteAccount, "u1", tok, model.ErrWrongCode},
		{"not base64", passcode.GrantUpdateEmail, "u1", "%%%", model.ErrWrongCode},
		{"not sealed", passcode.GrantUpdateEmail, "u1", "AAAA", model.ErrWrongCode},
		{"the right one", passcode.GrantUpdateEmail, "u1", tok, nil},
		{"used", passcode.GrantUpdateEmail, "u1", tok, model.ErrWrongCode},
	} {
		addr, err := e.svc.Redeem(ctx, tt.purpose, tt.user, tt.tok)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Redeem = %q, %v; want %v", tt.name, addr, err, tt.want)
		}
		if err == nil && addr != "new@example.com" {
			t.Errorf("%s: address %q", tt.name, addr)
		}
	}
	// A new grant replaces the old; a grant dies after GrantLifetime.
	old := grant(passcode.GrantDeleteAccount, "u1", "")
	tok = grant(passcode.GrantDeleteAccount, "u1", "")
	if _, err := e.svc.Redeem(ctx, passcode.GrantDeleteAccount, "u1", old); !errors.Is(err, model.ErrWrongCode) {
		t.Errorf("a replaced grant: %v", err)
	}
	e.clock.Advance(passcode.GrantLifetime)
	if _, err := e.svc.Redeem(ctx, passcode.GrantDeleteAccount, "u1", tok); !errors.Is(err, model.ErrCodeExpired) {
		t.Errorf("an expired grant: %v", err)
	}
}
