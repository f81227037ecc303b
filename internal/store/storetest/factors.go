package storetest

import (
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func factor(id, userID, kind string) *model.Factor {
	f := &model.Factor{ID: id, UserID: userID, Type: kind, Sealed: []byte("sealed " + id), Counter: 100,
		CreatedAt: t0.In(east)}
	if kind == model.FactorWebAuthn {
		f.Name, f.CredentialID = "key "+id, "cred-"+id
	}
	return f
}

func testFactors(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	totp := factor("f-totp", "u1", model.FactorTOTP)
	sms := factor("f-sms", "u1", model.FactorSMS)
	sms.Address, sms.CreatedAt = "+8613800000000", t0.Add(time.Second)
	key1, key2 := factor("f-key1", "u1", model.FactorWebAuthn), factor("f-key2", "u1", model.FactorWebAuthn)
	key1.CreatedAt, key2.CreatedAt = t0.Add(2*time.Second), t0.Add(3*time.Second)
	for _, f := range []*model.Factor{totp, sms, key1, key2, factor("f-other", "u2", model.FactorTOTP)} {
		must(t, "CreateFactor "+f.ID, s.CreateFactor(ctx, f))
	}
	wantErr(t, "a second TOTP factor", s.CreateFactor(ctx, factor("f-totp2", "u1", model.FactorTOTP)), model.ErrConflict)
	wantErr(t, "a taken factor id", s.CreateFactor(ctx, factor("f-sms", "u3", model.FactorSMS)), model.ErrConflict)
	taken := factor("f-key3", "u2", model.FactorWebAuthn)
	taken.CredentialID = key1.CredentialID
	wantErr(t, "a taken credential id", s.CreateFactor(ctx, taken), model.ErrConflict)

	list, err := s.ListFactors(ctx, "u1")
	must(t, "ListFactors", err)
	diff(t, "u1's factors", []*model.Factor{totp, sms, key1, key2}, list)
	got, err := s.GetFactor(ctx, "f-sms")
	must(t, "GetFactor", err)
	diff(t, "GetFactor", sms, got)
	_, err = s.GetFactor(ctx, "nope")
	wantErr(t, "GetFactor of an unknown id", err, model.ErrNotFound)
	got, err = s.FactorByCredential(ctx, key2.CredentialID)
	must(t, "FactorByCredential", err)
	diff(t, "FactorByCredential", key2, got)
	_, err = s.FactorByCredential(ctx, "cred-nope")
	wantErr(t, "FactorByCredential of an unknown credential", err, model.ErrNotFound)

	// AdvanceFactor moves the counter forward only.
	wantErr(t, "AdvanceFactor to the same counter", s.AdvanceFactor(ctx, totp.ID, 100, t0), model.ErrWrongCode)
	wantErr(t, "AdvanceFactor backwards", s.AdvanceFactor(ctx, totp.ID, 99, t0), model.ErrWrongCode)
	must(t, "AdvanceFactor", s.AdvanceFactor(ctx, totp.ID, 101, t0.Add(time.Minute).In(east)))
	got, err = s.GetFactor(ctx, totp.ID)
	must(t, "GetFactor", err)
	totp.Counter, totp.LastUsedAt = 101, t0.Add(time.Minute)
	diff(t, "the advanced factor", totp, got)
	wantErr(t, "AdvanceFactor of an unknown factor", s.AdvanceFactor(ctx, "nope", 1000, t0), model.ErrNotFound)

	// DeleteFactor removes only the user's own.
	wantErr(t, "DeleteFactor of another user's factor", s.DeleteFactor(ctx, "u2", sms.ID), model.ErrNotFound)
	must(t, "DeleteFactor", s.DeleteFactor(ctx, "u1", sms.ID))
	wantErr(t, "DeleteFactor again", s.DeleteFactor(ctx, "u1", sms.ID), model.ErrNotFound)

	// ResetFactors removes the user's factors and recovery codes, no one else's.
	must(t, "ReplaceRecoveryCodes", s.ReplaceRecoveryCodes(ctx, "u1", []string{"r1", "r2"}, t0))
	must(t, "ReplaceRecoveryCodes", s.ReplaceRecoveryCodes(ctx, "u2", []string{"r1"}, t0))
	n, err := s.ResetFactors(ctx, "u1")
	must(t, "ResetFactors", err)
	if n != 3 {
		t.Errorf("ResetFactors removed %d factors, want 3", n)
	}
	if list, err := s.ListFactors(ctx, "u1"); err != nil || len(list) != 0 {
		t.Errorf("u1's factors after ResetFactors = %v, %v; want none", list, err)
	}
	if c, err := s.CountRecoveryCodes(ctx, "u1"); err != nil || c != 0 {
		t.Errorf("u1's recovery codes after ResetFactors = %d, %v; want 0", c, err)
	}
	if list, err := s.ListFactors(ctx, "u2"); err != nil || len(list) != 1 {
		t.Errorf("u2's factors after u1's reset = %v, %v; want 1", list, err)
	}
	if c, err := s.CountRecoveryCodes(ctx, "u2"); err != nil || c != 1 {
		t.Errorf("u2's recovery codes after u1's reset = %d, %v; want 1", c, err)
	}
	// A passkey's credential id is free again once it is removed.
	must(t, "CreateFactor with a freed credential id", s.CreateFactor(ctx, taken))
}

func testRecoveryCodes(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	count := func(user string, want int) {
		t.Helper()
		if n, err := s.CountRecoveryCodes(ctx, user); err != nil || n != want {
			t.Fatalf("CountRecoveryCodes(%s) = %d, %v; want %d", user, n, err, want)
		}
	}
	count("u1", 0)
	must(t, "ReplaceRecoveryCodes", s.ReplaceRecoveryCodes(ctx, "u1", []string{"a", "b", "c"}, t0))
	count("u1", 3)
	wantErr(t, "UseRecoveryCode of another user's code", s.UseRecoveryCode(ctx, "u2", "a", t0), model.ErrWrongCode)
	wantErr(t, "UseRecoveryCode of an unknown code", s.UseRecoveryCode(ctx, "u1", "z", t0), model.ErrWrongCode)
	must(t, "UseRecoveryCode", s.UseRecoveryCode(ctx, "u1", "a", t0))
	wantErr(t, "UseRecoveryCode of a used code", s.UseRecoveryCode(ctx, "u1", "a", t0), model.ErrWrongCode)
	count("u1", 2)
	// New codes replace the old, used or not.
	must(t, "ReplaceRecoveryCodes", s.ReplaceRecoveryCodes(ctx, "u1", []string{"a", "d"}, t0))
	count("u1", 2)
	wantErr(t, "UseRecoveryCode of a replaced code", s.UseRecoveryCode(ctx, "u1", "b", t0), model.ErrWrongCode)
	must(t, "UseRecoveryCode of a reissued hash", s.UseRecoveryCode(ctx, "u1", "a", t0))

	// Of concurrent uses of one code exactly one wins.
	oneWins(t, "UseRecoveryCode", 8, func() error { return s.UseRecoveryCode(ctx, "u1", "d", t0) })
}

// testConcurrentAdvance: of concurrent uses of one TOTP step exactly one
// is accepted, the replay guard.
func testConcurrentAdvance(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	must(t, "CreateFactor", s.CreateFactor(ctx, factor("f", "u1", model.FactorTOTP)))
	oneWins(t, "AdvanceFactor", 8, func() error { return s.AdvanceFactor(ctx, "f", 101, t0) })
}

func testSettings(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	_, err := s.GetSetting(ctx, "mfa_policy")
	wantErr(t, "GetSetting never set", err, model.ErrNotFound)
	must(t, "PutSetting", s.PutSetting(ctx, "mfa_policy", "optional", t0))
	must(t, "PutSetting again", s.PutSetting(ctx, "mfa_policy", "required", t0.Add(time.Hour).In(east)))
	must(t, "PutSetting of another key", s.PutSetting(ctx, "other", "x", t0))
	if v, err := s.GetSetting(ctx, "mfa_policy"); err != nil || v != "required" {
		t.Fatalf("GetSetting = %q, %v; want required", v, err)
	}
}
