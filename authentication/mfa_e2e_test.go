package authentication_test

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/pquerna/otp/totp"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/model"
)

// TestE2EMFA enrolls a TOTP factor through the SDK, then signs in with it:
// the password sign-in answers the mfaToken, and MFAOTPVerify with it
// answers the tokens; a recovery code finishes another sign-in once.
func TestE2EMFA(t *testing.T) {
	e := newE2E(t, authentication.ProtocolOIDC, authentication.AuthClientSecretPost, model.GrantAuthorizationCode)
	ctx := t.Context()
	tokens, err := e.client.SignInByUsernamePassword(ctx, e2eUser, e2ePassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	access := tokens.AccessToken
	types, err := e.client.ListFactorsToEnroll(ctx, access)
	if err != nil || len(types) == 0 || types[0] != model.FactorTOTP {
		t.Fatalf("ListFactorsToEnroll: %v, %v", types, err)
	}
	req, err := e.client.SendEnrollFactorRequest(ctx, access, model.FactorTOTP, nil)
	if err != nil || req.OTPData == nil {
		t.Fatalf("SendEnrollFactorRequest: %+v, %v", req, err)
	}
	uri, err := url.Parse(req.OTPData.QRCodeURI)
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		c, err := totp.GenerateCode(uri.Query().Get("secret"), e.srv.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if set, err := e.client.EnrollFactor(ctx, access, model.FactorTOTP, req.EnrollmentToken, code()); err != nil || set != nil {
		t.Fatalf("EnrollFactor: %+v, %v", set, err)
	}
	factors, err := e.client.ListEnrolledFactors(ctx, access)
	if err != nil || len(factors) != 1 || factors[0].FactorType != model.FactorTOTP {
		t.Fatalf("ListEnrolledFactors: %+v, %v", factors, err)
	}
	if f, err := e.client.GetFactor(ctx, access, factors[0].FactorID); err != nil || f.FactorID != factors[0].FactorID {
		t.Fatalf("GetFactor: %+v, %v", f, err)
	}
	var apiErr *authentication.APIError
	if _, err := e.client.GetFactor(ctx, access, "nope"); !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Fatalf("GetFactor of an unknown factor: %v", err)
	}

	// Signing in now needs the second factor.
	mfaToken := func() string {
		t.Helper()
		_, err := e.client.SignInByUsernamePassword(ctx, e2eUser, e2ePassword, nil)
		if !errors.As(err, &apiErr) || apiErr.APICode != 1636 || apiErr.MFA == nil || apiErr.MFA.MFAToken == "" || !apiErr.MFA.TOTPMFAEnabled {
			t.Fatalf("sign-in with a factor: %v", err)
		}
		return apiErr.MFA.MFAToken
	}
	tok := mfaToken()
	e.srv.Clock.Advance(mfa.Period)
	if v, err := e.client.MFAOTPVerify(ctx, tok, "000000"); err != nil || v.Verified && code() != "000000" {
		t.Fatalf("MFAOTPVerify with a wrong code: %+v, %v", v, err)
	}
	v, err := e.client.MFAOTPVerify(ctx, tok, code())
	if err != nil || !v.Verified || v.SignInTokens == nil || v.AccessToken == "" {
		t.Fatalf("MFAOTPVerify: %+v, %v", v, err)
	}
	if _, err := e.client.GetProfile(ctx, v.AccessToken, false); err != nil {
		t.Fatalf("GetProfile with the MFA sign-in's token: %v", err)
	}
	if id, err := e.client.VerifyIDToken(ctx, v.IDToken); err != nil || id.ACR != "urn:genauth:loa:2" || !slices.Contains(id.AMR, "mfa") {
		t.Fatalf("the MFA sign-in's id token: %+v, %v; want acr urn:genauth:loa:2 and amr mfa", id, err)
	}
	if v, err := e.client.MFARecoveryCodeVerify(ctx, mfaToken(), req.OTPData.RecoveryCode); err != nil || !v.Verified || v.SignInTokens == nil {
		t.Fatalf("MFARecoveryCodeVerify: %+v, %v", v, err)
	}
	if v, err := e.client.MFARecoveryCodeVerify(ctx, mfaToken(), req.OTPData.RecoveryCode); err != nil || v.Verified {
		t.Fatalf("MFARecoveryCodeVerify with a used code: %+v, %v", v, err)
	}
	if err := e.client.ResetFactor(ctx, v.AccessToken, factors[0].FactorID); err != nil {
		t.Fatalf("ResetFactor: %v", err)
	}
	if _, err := e.client.SignInByUsernamePassword(ctx, e2eUser, e2ePassword, nil); err != nil {
		t.Fatalf("sign-in after the factor was removed: %v", err)
	}
}
