package mfa_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/model"
)

func TestStricter(t *testing.T) {
	for _, tt := range []struct{ a, b, want string }{
		{"", "", model.MFAOff},
		{"", model.MFAOptional, model.MFAOptional},
		{model.MFARequired, model.MFAOff, model.MFARequired},
		{model.MFAOptional, model.MFARequired, model.MFARequired},
		{model.MFAOff, "", model.MFAOff},
	} {
		if got := mfa.Stricter(tt.a, tt.b); got != tt.want {
			t.Errorf("Stricter(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNext(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	for _, f := range []*model.Factor{
		{ID: "f-email", UserID: "only-email", Type: model.FactorEmail, Address: "a@example.com", Sealed: []byte{0}, CreatedAt: t0},
		{ID: "f-totp", UserID: "totp", Type: model.FactorTOTP, Sealed: []byte{0}, CreatedAt: t0},
		{ID: "f-sms", UserID: "totp", Type: model.FactorSMS, Address: "+8613800000000", Sealed: []byte{0}, CreatedAt: t0.Add(time.Second)},
		{ID: "f-key", UserID: "key", Type: model.FactorWebAuthn, CredentialID: "c1", Sealed: []byte{0}, CreatedAt: t0},
		{ID: "f-key-totp", UserID: "key", Type: model.FactorTOTP, Sealed: []byte{0}, CreatedAt: t0.Add(time.Second)},
	} {
		if err := e.st.CreateFactor(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		user, policy, first string
		want                mfa.Step
		factors             []string
	}{
		{"none", model.MFAOff, mfa.FirstPassword, mfa.Done, nil},
		{"none", model.MFAOptional, mfa.FirstPassword, mfa.Offer, nil},
		{"none", model.MFARequired, mfa.FirstPassword, mfa.Enroll, nil},
		{"none", model.MFARequired, mfa.FirstPasskey, mfa.Done, nil},
		{"totp", model.MFAOff, mfa.FirstPassword, mfa.Challenge, []string{"f-totp", "f-sms"}},
		{"totp", model.MFAOff, mfa.FirstSMS, mfa.Challenge, []string{"f-totp"}},
		{"totp", model.MFARequired, mfa.FirstUpstream, mfa.Challenge, []string{"f-totp", "f-sms"}},
		{"only-email", model.MFAOff, mfa.FirstPassword, mfa.Challenge, []string{"f-email"}},
		{"only-email", model.MFAOff, mfa.FirstEmail, mfa.Done, nil},
		{"only-email", model.MFARequired, mfa.FirstEmail, mfa.Enroll, nil},
		{"key", model.MFAOff, mfa.FirstPassword, mfa.Challenge, []string{"f-key", "f-key-totp"}},
		{"key", model.MFAOff, mfa.FirstKey, mfa.Challenge, []string{"f-key-totp"}},
		{"key", model.MFAOff, mfa.FirstPasskey, mfa.Done, nil},
	} {
		step, factors, err := e.svc.Next(ctx, tt.user, tt.policy, tt.first)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range factors {
			ids = append(ids, f.ID)
		}
		if step != tt.want || !slices.Equal(ids, tt.factors) {
			t.Errorf("Next(%s, %s, %s) = %v, %v; want %v, %v", tt.user, tt.policy, tt.first, step, ids, tt.want, tt.factors)
		}
	}
}

func TestAMR(t *testing.T) {
	for _, tt := range []struct {
		first, second string
		want          []string
	}{
		{mfa.FirstPassword, "", []string{"pwd"}},
		{mfa.FirstPassword, model.FactorTOTP, []string{"otp", "pwd", "mfa"}},
		{mfa.FirstPassword, model.FactorSMS, []string{"pwd", "sms", "mfa"}},
		{mfa.FirstPassword, mfa.RecoveryFactor, []string{"otp", "pwd", "mfa"}},
		{mfa.FirstPassword, model.FactorWebAuthn, []string{"hwk", "pwd", "mfa"}},
		{mfa.FirstEmail, model.FactorTOTP, []string{"otp", "mfa"}},
		{mfa.FirstSMS, "", []string{"sms"}},
		{mfa.FirstUpstream, "", []string{"fed"}},
		{mfa.FirstPasskey, "", []string{"hwk", "user", "mfa"}},
		{mfa.FirstKey, "", []string{"hwk"}},
		{mfa.FirstKey, model.FactorTOTP, []string{"hwk", "otp", "mfa"}},
	} {
		if got := mfa.AMR(tt.first, tt.second); !slices.Equal(got, tt.want) {
			t.Errorf("AMR(%s, %s) = %v, want %v", tt.first, tt.second, got, tt.want)
		}
	}
}

func TestPending(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	p := mfa.Pending{UserID: "u1", ClientID: "app-1", First: mfa.FirstPassword, State: "openid profile"}
	tok, err := e.svc.Hold(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Held(ctx, tok)
	p.Issued = t0.Unix()
	if err != nil || *got != p {
		t.Fatalf("Held = %+v, %v; want %+v", got, err, p)
	}
	// A newer pending sign-in of the user replaces it.
	newer, err := e.svc.Hold(ctx, mfa.Pending{UserID: "u1", First: mfa.FirstSMS})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Held(ctx, tok); !errors.Is(err, model.ErrWrongCode) {
		t.Errorf("a replaced pending sign-in: %v, want ErrWrongCode", err)
	}
	held, err := e.svc.Held(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Release(ctx, held, newer); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Release(ctx, held, newer); !errors.Is(err, model.ErrWrongCode) {
		t.Errorf("a second release: %v, want ErrWrongCode", err)
	}
	last, err := e.svc.Hold(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(mfa.PendingLifetime)
	if _, err := e.svc.Held(ctx, last); !errors.Is(err, model.ErrCodeExpired) {
		t.Errorf("a pending sign-in after %v: %v, want ErrCodeExpired", mfa.PendingLifetime, err)
	}
}

func TestPolicy(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	app := &model.Application{MFAPolicy: model.MFAOptional}
	for _, tt := range []struct {
		pool string // "": never set
		app  *model.Application
		want string
	}{
		{"", nil, model.MFAOff},
		{"", app, model.MFAOptional},
		{model.MFARequired, app, model.MFARequired},
		{model.MFAOff, app, model.MFAOptional},
		{model.MFAOptional, nil, model.MFAOptional},
	} {
		if tt.pool != "" {
			if err := e.svc.SetPoolPolicy(ctx, tt.pool); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := e.svc.Policy(ctx, tt.app); err != nil || got != tt.want {
			t.Errorf("pool %q, app %v: Policy = %q, %v; want %q", tt.pool, tt.app, got, err, tt.want)
		}
	}
	if err := e.svc.SetPoolPolicy(ctx, "sometimes"); !errors.Is(err, model.ErrInvalidInput) {
		t.Errorf("SetPoolPolicy(sometimes) = %v, want ErrInvalidInput", err)
	}
}
