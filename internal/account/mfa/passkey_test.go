package mfa_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/webauthntest"
)

const origin = "http://localhost:8080"

// passkeyEnv is newEnv's service as the relying party at origin.
func passkeyEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	rp, err := mfa.NewWebAuthn(origin+"/", "GenAuth Test")
	if err != nil {
		t.Fatal(err)
	}
	e.svc.WebAuthn = rp
	return e
}

// register makes a passkey for userID on a; its error is the service's.
func (e *env) register(t *testing.T, a *webauthntest.Authenticator, userID, name string) (*model.Factor, error) {
	t.Helper()
	opts, ticket, err := e.svc.BeginPasskeyRegistration(t.Context(), mfa.PasskeyUser{ID: userID, Name: userID, DisplayName: userID})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := a.Create(mustJSON(t, opts.Response), origin)
	if err != nil {
		t.Fatal(err)
	}
	return e.svc.FinishPasskeyRegistration(t.Context(), userID, ticket, cred, name)
}

// login begins a sign-in for userID ("": discoverable), has a answer it at
// at, and finishes it after tamper changed the assertion.
func (e *env) login(t *testing.T, a *webauthntest.Authenticator, userID, at string, tamper func(map[string]any)) (*mfa.PasskeyLogin, error) {
	t.Helper()
	opts, ticket, err := e.svc.BeginPasskeyLogin(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	assertion, err := a.Get(mustJSON(t, opts.Response), at)
	if err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		var m map[string]any
		if err := json.Unmarshal(assertion, &m); err != nil {
			t.Fatal(err)
		}
		tamper(m)
		assertion = mustJSON(t, m)
	}
	return e.svc.FinishPasskeyLogin(t.Context(), ticket, assertion)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// response edits an assertion's response field name, base64url decoded, with edit.
func response(name string, edit func([]byte) []byte) func(map[string]any) {
	return func(m map[string]any) {
		r := m["response"].(map[string]any)
		raw, _ := base64.RawURLEncoding.DecodeString(r[name].(string))
		r[name] = base64.RawURLEncoding.EncodeToString(edit(raw))
	}
}

func TestPasskeyRegistration(t *testing.T) {
	e := passkeyEnv(t)
	ctx := t.Context()
	phone, laptop := webauthntest.New(), webauthntest.New()
	f1, err := e.register(t, phone, "u1", "Phone")
	if err != nil {
		t.Fatal(err)
	}
	f2, err := e.register(t, laptop, "u1", "Laptop")
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range []*model.Factor{f1, f2} {
		a := []*webauthntest.Authenticator{phone, laptop}[i]
		if want := base64.RawURLEncoding.EncodeToString(a.Credentials()[0].ID); f.Type != model.FactorWebAuthn || f.CredentialID != want || f.UserID != "u1" {
			t.Errorf("factor %+v, want credential %s", f, want)
		}
	}
	if list, _ := e.st.ListFactors(ctx, "u1"); len(list) != 2 || list[0].Name+list[1].Name != "PhoneLaptop" && list[0].Name+list[1].Name != "LaptopPhone" {
		t.Fatalf("stored %d factors", len(list))
	}

	// The options exclude the user's passkeys and ask for a discoverable one.
	opts, ticket, err := e.svc.BeginPasskeyRegistration(ctx, mfa.PasskeyUser{ID: "u1", Name: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(opts.Response.CredentialExcludeList); n != 2 || opts.Response.AuthenticatorSelection.ResidentKey != "required" ||
		opts.Response.RelyingParty.ID != "localhost" {
		t.Fatalf("options %+v", opts.Response)
	}
	if _, err := phone.Create(mustJSON(t, opts.Response), origin); !errors.Is(err, webauthntest.ErrExcluded) {
		t.Fatalf("a registered authenticator created again: %v", err)
	}
	// Another user's options exclude nothing of u1's.
	if other, _, err := e.svc.BeginPasskeyRegistration(ctx, mfa.PasskeyUser{ID: "u2", Name: "bob"}); err != nil || len(other.Response.CredentialExcludeList) != 0 {
		t.Fatalf("u2's options %+v, %v", other, err)
	}

	cred, err := webauthntest.New().Create(mustJSON(t, opts.Response), origin)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, user, ticket string
		cred               []byte
		want               error
	}{
		{"another user's ticket", "u2", ticket, cred, model.ErrWrongCode},
		{"not a ticket", "u1", "nope", cred, model.ErrWrongCode},
		{"not a credential", "u1", ticket, []byte(`{"id":"x"}`), model.ErrWrongCode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.svc.FinishPasskeyRegistration(ctx, tc.user, tc.ticket, tc.cred, "x"); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// A failed check uses the ticket up.
	if _, err := e.svc.FinishPasskeyRegistration(ctx, "u1", ticket, cred, "x"); !errors.Is(err, model.ErrWrongCode) {
		t.Fatalf("a used ticket = %v", err)
	}
	if list, _ := e.st.ListFactors(ctx, "u1"); len(list) != 2 {
		t.Fatalf("refused registrations stored %+v", list)
	}

	// A credential made at another origin is refused.
	opts, ticket, _ = e.svc.BeginPasskeyRegistration(ctx, mfa.PasskeyUser{ID: "u1", Name: "ada"})
	phished, err := webauthntest.New().Create(mustJSON(t, opts.Response), "http://localhost.evil.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FinishPasskeyRegistration(ctx, "u1", ticket, phished, "x"); !errors.Is(err, model.ErrWrongCode) {
		t.Fatalf("another origin's credential = %v", err)
	}
	// An expired ticket.
	opts, ticket, _ = e.svc.BeginPasskeyRegistration(ctx, mfa.PasskeyUser{ID: "u1", Name: "ada"})
	late, _ := webauthntest.New().Create(mustJSON(t, opts.Response), origin)
	e.clock.Advance(mfa.PasskeyTimeout + time.Second)
	if _, err := e.svc.FinishPasskeyRegistration(ctx, "u1", ticket, late, "x"); !errors.Is(err, model.ErrCodeExpired) {
		t.Fatalf("an expired ticket = %v", err)
	}
}

func TestPasskeyLogin(t *testing.T) {
	e := passkeyEnv(t)
	ctx := t.Context()
	ada, bob := webauthntest.New(), webauthntest.New()
	adaKey, err := e.register(t, ada, "ada", "Phone")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.register(t, bob, "bob", "Key"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.BeginPasskeyLogin(ctx, "carl"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("a user without passkeys = %v", err)
	}

	for _, tc := range []struct {
		name     string
		user     string // "" discoverable
		absent   bool   // the user-present flag unset
		uv       bool
		at       string
		rpID     string
		tamper   func(map[string]any)
		wantErr  error
		verified bool
	}{
		{name: "second factor", user: "ada", uv: true, at: origin, verified: true},
		{name: "discoverable, verified", uv: true, at: origin, verified: true},
		{name: "discoverable, not verified, no other factor", at: origin, wantErr: mfa.ErrUnverifiedPasskey},
		{name: "user not present", absent: true, uv: true, at: origin, wantErr: model.ErrWrongCode},
		{name: "wrong origin", user: "ada", uv: true, at: "http://localhost:8081", wantErr: model.ErrWrongCode},
		{name: "wrong RP ID", uv: true, at: origin, rpID: "example.com", wantErr: model.ErrWrongCode},
		{name: "tampered challenge", uv: true, at: origin, wantErr: model.ErrWrongCode,
			tamper: response("clientDataJSON", func(b []byte) []byte {
				var cd map[string]any
				_ = json.Unmarshal(b, &cd)
				cd["challenge"] = base64.RawURLEncoding.EncodeToString(make([]byte, 32))
				out, _ := json.Marshal(cd)
				return out
			})},
		{name: "tampered signature", uv: true, at: origin, wantErr: model.ErrWrongCode,
			tamper: response("signature", func(b []byte) []byte { b[len(b)-1] ^= 1; return b })},
		{name: "tampered flags", uv: false, at: origin, wantErr: model.ErrWrongCode,
			tamper: response("authenticatorData", func(b []byte) []byte { b[32] |= 0x04; return b })},
		{name: "another user handle", uv: true, at: origin, wantErr: model.ErrWrongCode,
			tamper: func(m map[string]any) {
				m["response"].(map[string]any)["userHandle"] = base64.RawURLEncoding.EncodeToString([]byte("bob"))
			}},
		{name: "unknown credential", uv: true, at: origin, wantErr: model.ErrWrongCode,
			tamper: func(m map[string]any) { m["id"], m["rawId"] = "AAAA", "AAAA" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ada.UP, ada.UV, ada.RPID = !tc.absent, tc.uv, tc.rpID
			before, _ := e.st.GetFactor(ctx, adaKey.ID)
			got, err := e.login(t, ada, tc.user, tc.at, tc.tamper)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			after, _ := e.st.GetFactor(ctx, adaKey.ID)
			if tc.wantErr != nil {
				if after.Counter != before.Counter {
					t.Fatalf("a refused sign-in moved the counter from %d to %d", before.Counter, after.Counter)
				}
				return
			}
			if got.Factor.ID != adaKey.ID || got.Verified != tc.verified || after.Counter != int64(ada.Counter) || after.Counter <= before.Counter {
				t.Fatalf("login %+v (factor %+v), counter %d -> %d, want verified %v", got, got.Factor, before.Counter, after.Counter, tc.verified)
			}
		})
	}
	ada.UP, ada.UV, ada.RPID = true, true, ""

	// With a factor of another kind to follow, a passkey that did not
	// verify its user signs in as one factor.
	if err := e.st.CreateFactor(ctx, &model.Factor{ID: "ada-totp", UserID: adaKey.UserID, Type: model.FactorTOTP,
		Sealed: []byte{0}, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	ada.UV = false
	if got, err := e.login(t, ada, "", origin, nil); err != nil || got.Verified {
		t.Fatalf("an unverified passkey with a TOTP factor to follow: %+v, %v", got, err)
	}
	ada.UV = true

	// A sign-in begun for ada accepts none of bob's passkeys, even one
	// whose authenticator ignores the allow list.
	opts, ticket, err := e.svc.BeginPasskeyLogin(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Get(mustJSON(t, opts.Response), origin); !errors.Is(err, webauthntest.ErrNoCredential) {
		t.Fatalf("bob's authenticator answered ada's allow list: %v", err)
	}
	opts.Response.AllowedCredentials = nil
	assertion, err := bob.Get(mustJSON(t, opts.Response), origin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FinishPasskeyLogin(ctx, ticket, assertion); !errors.Is(err, model.ErrWrongCode) {
		t.Fatalf("bob's passkey on ada's ticket = %v", err)
	}

	// Tickets are single use and expire.
	opts, ticket, _ = e.svc.BeginPasskeyLogin(ctx, "")
	assertion, _ = ada.Get(mustJSON(t, opts.Response), origin)
	if _, err := e.svc.FinishPasskeyLogin(ctx, ticket, assertion); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FinishPasskeyLogin(ctx, ticket, assertion); !errors.Is(err, model.ErrWrongCode) {
		t.Fatalf("a ticket used twice = %v", err)
	}
	opts, ticket, _ = e.svc.BeginPasskeyLogin(ctx, "")
	assertion, _ = ada.Get(mustJSON(t, opts.Response), origin)
	e.clock.Advance(mfa.PasskeyTimeout + time.Second)
	if _, err := e.svc.FinishPasskeyLogin(ctx, ticket, assertion); !errors.Is(err, model.ErrCodeExpired) {
		t.Fatalf("an expired ticket = %v", err)
	}

	// A counter that goes back is a cloned authenticator.
	clone := *ada
	clone.Counter = 0
	if _, err := e.login(t, &clone, "ada", origin, nil); !errors.Is(err, model.ErrWrongCode) {
		t.Fatalf("a counter gone back = %v", err)
	}
	if _, err := e.login(t, ada, "ada", origin, nil); err != nil {
		t.Fatalf("the original after a clone was refused: %v", err)
	}
}

// TestPasskeyNoCounter: an authenticator without a counter (always 0, as
// synced passkeys) signs in again and again.
func TestPasskeyNoCounter(t *testing.T) {
	e := passkeyEnv(t)
	a := webauthntest.New()
	a.Counting, a.BE, a.BS = false, true, true
	f, err := e.register(t, a, "ada", "Synced")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		got, err := e.login(t, a, []string{"ada", ""}[i%2], origin, nil)
		if err != nil || got.Factor.ID != f.ID || got.Factor.Counter != 0 {
			t.Fatalf("sign-in %d: %+v, %v", i, got, err)
		}
	}
}

func TestPasskeysOff(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080", "https://[::1]/", "://"} {
		if _, err := mfa.NewWebAuthn(u, "GenAuth"); !errors.Is(err, mfa.ErrPasskeysOff) {
			t.Errorf("NewWebAuthn(%q) = %v, want ErrPasskeysOff", u, err)
		}
	}
	e := newEnv(t)
	ctx := t.Context()
	if e.svc.PasskeysOn() {
		t.Fatal("passkeys on without a relying party")
	}
	if _, _, err := e.svc.BeginPasskeyRegistration(ctx, mfa.PasskeyUser{ID: "ada"}); !errors.Is(err, mfa.ErrPasskeysOff) {
		t.Errorf("BeginPasskeyRegistration = %v", err)
	}
	if _, _, err := e.svc.BeginPasskeyLogin(ctx, ""); !errors.Is(err, mfa.ErrPasskeysOff) {
		t.Errorf("BeginPasskeyLogin = %v", err)
	}
	if _, err := e.svc.FinishPasskeyLogin(ctx, "t", []byte("{}")); !errors.Is(err, mfa.ErrPasskeysOff) {
		t.Errorf("FinishPasskeyLogin = %v", err)
	}
	if !passkeyEnv(t).svc.PasskeysOn() {
		t.Error("passkeys off at localhost")
	}
}
