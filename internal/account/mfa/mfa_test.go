package mfa_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"image/png"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/clock"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// t0 is the start of a 30-second step.
var t0 = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)

type env struct {
	svc   *mfa.Service
	st    *sqlite.Store
	clock *clock.Fake
}

func newEnv(t *testing.T) *env {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(make([]byte, secret.KeyLen), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := sealer.DeriveKey(mfa.KeyPurpose)
	if err != nil {
		t.Fatal(err)
	}
	codeKey, err := sealer.DeriveKey(passcode.KeyPurpose)
	if err != nil {
		t.Fatal(err)
	}
	c := clock.NewFake(t0)
	ids := token.NewSource(rand.Reader).ID
	grants := &passcode.Service{Store: st, Sealer: sealer, Key: codeKey, Rand: rand.Reader, NewID: ids, Now: c.Now}
	return &env{st: st, clock: c, svc: &mfa.Service{Store: st, Sealer: sealer, Key: key, Issuer: "GenAuth Test",
		Grants: grants, Rand: rand.Reader, NewID: ids, Now: c.Now}}
}

// code is secret's TOTP code for the step at.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewTOTP(t *testing.T) {
	e := newEnv(t)
	setup, err := e.svc.NewTOTP("ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(setup.Secret) {
		t.Errorf("secret %q is not 160 bits of base32", setup.Secret)
	}
	u, err := url.Parse(setup.URI)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/GenAuth Test:ada@example.com" ||
		q.Get("secret") != setup.Secret || q.Get("issuer") != "GenAuth Test" || q.Get("period") != "30" ||
		q.Get("digits") != "6" || q.Get("algorithm") != "SHA1" {
		t.Errorf("URI %s", setup.URI)
	}
	if _, err := png.Decode(bytes.NewReader(setup.QRCode)); err != nil {
		t.Errorf("QR code is not a PNG: %v", err)
	}
	if again, err := e.svc.NewTOTP("ada@example.com"); err != nil || again.Secret == setup.Secret {
		t.Errorf("a second secret = %v, %v; want a new one", again, err)
	}
}

func TestTOTP(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	setup, err := e.svc.NewTOTP("ada")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.VerifyTOTP(ctx, "u1", code(t, setup.Secret, t0)); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("VerifyTOTP before enrollment = %v, want ErrNotFound", err)
	}
	if _, err := e.svc.EnrollTOTP(ctx, "u1", setup.Secret, code(t, setup.Secret, t0.Add(-2*mfa.Period))); !errors.Is(err, model.ErrWrongCode) {
		t.Fatalf("EnrollTOTP with a code two steps old = %v, want ErrWrongCode", err)
	}
	if list, _ := e.st.ListFactors(ctx, "u1"); len(list) != 0 {
		t.Fatalf("a refused enrollment stored %v", list)
	}
	f, err := e.svc.EnrollTOTP(ctx, "u1", setup.Secret, code(t, setup.Secret, t0))
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != model.FactorTOTP || bytes.Contains(f.Sealed, []byte(setup.Secret)) {
		t.Errorf("factor %+v: wrong type, or the secret in the clear", f)
	}
	other, err := e.svc.NewTOTP("ada")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.EnrollTOTP(ctx, "u1", other.Secret, code(t, other.Secret, t0)); !errors.Is(err, model.ErrConflict) {
		t.Fatalf("a second TOTP enrollment = %v, want ErrConflict", err)
	}

	step := func(n int) time.Time { return t0.Add(time.Duration(n) * mfa.Period) }
	for _, tt := range []struct {
		what     string
		now      time.Time
		codeAt   time.Time
		wantFail bool
	}{
		{"the enrollment code again (replay)", step(0).Add(10 * time.Second), step(0), true},
		{"the step before's code, at the last instant of the step after it", step(3).Add(-time.Millisecond), step(1), false},
		{"the same code again", step(3).Add(-time.Millisecond), step(1), true},
		{"a code two steps old", step(4), step(2), true},
		{"a code one step ahead (a slow server clock)", step(4), step(5), false},
		{"the current step's code after a later step was used", step(4), step(4), true},
		{"the next step's code, when it comes", step(6), step(6), false},
		{"not six digits", step(7), time.Time{}, true},
	} {
		e.clock.Advance(tt.now.Sub(e.clock.Now()))
		c := "12345"
		if !tt.codeAt.IsZero() {
			c = code(t, setup.Secret, tt.codeAt)
		}
		err := e.svc.VerifyTOTP(ctx, "u1", c)
		if tt.wantFail != (err != nil) || (err != nil && !errors.Is(err, model.ErrWrongCode)) {
			t.Errorf("%s: VerifyTOTP = %v, want failure %v (ErrWrongCode)", tt.what, err, tt.wantFail)
		}
	}
	// Another user's secret does not open this user's factor.
	e.clock.Advance(step(9).Sub(e.clock.Now()))
	if err := e.svc.VerifyTOTP(ctx, "u1", code(t, other.Secret, step(9))); !errors.Is(err, model.ErrWrongCode) {
		t.Errorf("another secret's code = %v, want ErrWrongCode", err)
	}

	// Concurrent uses of one fresh code: exactly one is accepted.
	c := code(t, setup.Secret, step(9))
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		won int
	)
	for range 6 {
		wg.Go(func() {
			if e.svc.VerifyTOTP(ctx, "u1", c) == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("one code used concurrently was accepted %d times, want 1", won)
	}
}

func TestRecoveryCodes(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	codes, err := e.svc.NewRecoveryCodes(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if !regexp.MustCompile(`^[0-9a-f]{4}(-[0-9a-f]{4}){5}$`).MatchString(c) || seen[c] {
			t.Errorf("recovery code %q: not six groups of four hex digits, or a repeat", c)
		}
		seen[c] = true
	}
	if len(codes) != mfa.RecoveryCodeCount {
		t.Fatalf("%d codes, want %d", len(codes), mfa.RecoveryCodeCount)
	}
	if err := e.svc.UseRecoveryCode(ctx, "u2", codes[0]); !errors.Is(err, model.ErrWrongCode) {
		t.Errorf("another user's code = %v, want ErrWrongCode", err)
	}
	// Case, spaces and dashes do not matter.
	typed := strings.ToUpper(strings.ReplaceAll(codes[0], "-", " "))
	if err := e.svc.UseRecoveryCode(ctx, "u1", typed); err != nil {
		t.Fatalf("UseRecoveryCode(%q): %v", typed, err)
	}
	for _, c := range []string{codes[0], "", "zzzz-zzzz-zzzz-zzzz-zzzz-zzzz", codes[1][:10]} {
		if err := e.svc.UseRecoveryCode(ctx, "u1", c); !errors.Is(err, model.ErrWrongCode) {
			t.Errorf("UseRecoveryCode(%q) = %v, want ErrWrongCode", c, err)
		}
	}
	if n, _ := e.st.CountRecoveryCodes(ctx, "u1"); n != mfa.RecoveryCodeCount-1 {
		t.Errorf("%d codes left, want %d", n, mfa.RecoveryCodeCount-1)
	}
	fresh, err := e.svc.NewRecoveryCodes(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.UseRecoveryCode(ctx, "u1", codes[1]); !errors.Is(err, model.ErrWrongCode) {
		t.Errorf("a code from before the regeneration = %v, want ErrWrongCode", err)
	}
	if err := e.svc.UseRecoveryCode(ctx, "u1", fresh[1]); err != nil {
		t.Errorf("a new code: %v", err)
	}
}

// TestRemove: removing the last factor takes the recovery codes with it;
// Reset removes everything.
func TestRemove(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	setup, err := e.svc.NewTOTP("ada")
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.svc.EnrollTOTP(ctx, "u1", setup.Secret, code(t, setup.Secret, t0))
	if err != nil {
		t.Fatal(err)
	}
	sms := &model.Factor{ID: "f-sms", UserID: "u1", Type: model.FactorSMS, Address: "+8613800000000", Sealed: []byte{0}, CreatedAt: t0}
	if err := e.st.CreateFactor(ctx, sms); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.NewRecoveryCodes(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Remove(ctx, "u2", f.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("removing another user's factor = %v, want ErrNotFound", err)
	}
	if err := e.svc.Remove(ctx, "u1", f.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.st.CountRecoveryCodes(ctx, "u1"); n != mfa.RecoveryCodeCount {
		t.Errorf("with a factor left, %d recovery codes; want %d", n, mfa.RecoveryCodeCount)
	}
	if err := e.svc.Remove(ctx, "u1", sms.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.st.CountRecoveryCodes(ctx, "u1"); n != 0 {
		t.Errorf("with no factor left, %d recovery codes; want 0", n)
	}

	if _, err := e.svc.EnrollTOTP(ctx, "u1", setup.Secret, code(t, setup.Secret, t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.NewRecoveryCodes(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.Reset(ctx, "u1"); err != nil || n != 1 {
		t.Fatalf("Reset = %d, %v; want 1 factor", n, err)
	}
	if list, _ := e.st.ListFactors(ctx, "u1"); len(list) != 0 {
		t.Errorf("factors after Reset: %v", list)
	}
	if n, _ := e.st.CountRecoveryCodes(ctx, "u1"); n != 0 {
		t.Errorf("recovery codes after Reset: %d", n)
	}
}

func TestEnrollCode(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	f, err := e.svc.EnrollCode(ctx, "u1", model.FactorEmail, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.st.GetFactor(ctx, f.ID)
	if err != nil || got.Type != model.FactorEmail || got.Address != "ada@example.com" || got.UserID != "u1" {
		t.Fatalf("stored factor %+v, %v", got, err)
	}
	for _, tt := range []struct {
		name, kind string
		want       error
	}{
		{"a second email factor", model.FactorEmail, model.ErrConflict},
		{"a TOTP factor without a secret", model.FactorTOTP, model.ErrInvalidInput},
		{"a passkey without a credential", model.FactorWebAuthn, model.ErrInvalidInput},
	} {
		if _, err := e.svc.EnrollCode(ctx, "u1", tt.kind, "x"); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := e.svc.EnrollCode(ctx, "u1", model.FactorSMS, "+8613800000000"); err != nil {
		t.Errorf("an SMS factor beside the email one: %v", err)
	}
}
