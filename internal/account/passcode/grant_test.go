package passcode_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

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

// TestPeek: a grant that names its user is read without being used up,
// and lives as long as GrantFor says.
func TestPeek(t *testing.T) {
	e := newEnv(t, bytes.Repeat([]byte{9}, 16*4))
	ctx := t.Context()
	tok, err := e.svc.GrantFor(ctx, "MFA", "u1", "pending", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if user, addr, err := e.svc.Peek(ctx, "MFA", tok); err != nil || user != "u1" || addr != "pending" {
			t.Fatalf("Peek = %q, %q, %v; want u1, pending", user, addr, err)
		}
	}
	for _, tt := range []struct{ name, purpose, tok string }{
		{"another purpose", passcode.GrantDeleteAccount, tok},
		{"not sealed", "MFA", "AAAA"},
	} {
		if _, _, err := e.svc.Peek(ctx, tt.purpose, tt.tok); !errors.Is(err, model.ErrWrongCode) {
			t.Errorf("%s: Peek = %v, want ErrWrongCode", tt.name, err)
		}
	}
	e.clock.Advance(10*time.Minute - time.Millisecond)
	if _, err := e.svc.Redeem(ctx, "MFA", "u1", tok); err != nil {
		t.Fatalf("Redeem just before the end: %v", err)
	}
	if _, _, err := e.svc.Peek(ctx, "MFA", tok); !errors.Is(err, model.ErrWrongCode) {
		t.Errorf("Peek of a used grant = %v, want ErrWrongCode", err)
	}
	tok, err = e.svc.GrantFor(ctx, "MFA", "u1", "", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * time.Minute)
	if _, _, err := e.svc.Peek(ctx, "MFA", tok); !errors.Is(err, model.ErrCodeExpired) {
		t.Errorf("Peek of an expired grant = %v, want ErrCodeExpired", err)
	}
}

// TestTake: a grant that names its user is used up once by whoever holds
// it, and says whose it is.
func TestTake(t *testing.T) {
	e := newEnv(t, bytes.Repeat([]byte{5}, 16*4))
	ctx := t.Context()
	tok, err := e.svc.GrantFor(ctx, "PASSKEY", "stand-in", "ceremony", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, purpose, tok string
		want               error
	}{
		{"another purpose", passcode.GrantDeleteAccount, tok, model.ErrWrongCode},
		{"not sealed", "PASSKEY", "AAAA", model.ErrWrongCode},
		{"the right one", "PASSKEY", tok, nil},
		{"used", "PASSKEY", tok, model.ErrWrongCode},
	} {
		user, addr, err := e.svc.Take(ctx, tt.purpose, tt.tok)
		if !errors.Is(err, tt.want) || (err == nil && (user != "stand-in" || addr != "ceremony")) {
			t.Errorf("%s: Take = %q, %q, %v; want %v", tt.name, user, addr, err, tt.want)
		}
	}
	tok, err = e.svc.GrantFor(ctx, "PASSKEY", "stand-in", "ceremony", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, _, err := e.svc.Take(ctx, "PASSKEY", tok); !errors.Is(err, model.ErrCodeExpired) {
		t.Errorf("an expired grant: %v", err)
	}
}
