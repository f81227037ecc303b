package authentication

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/opengenauth/genauth/internal/wire"
)

// codeMFARequired is the apiCode of a sign-in that needs a second factor.
const codeMFARequired = 1636

// MFARequired is what a sign-in that needs a second factor answers (in
// APIError.MFA): the MFAToken that finishes it and what the user can prove.
type MFARequired = wire.MFARequired

// MFAVerified is the answer of the MFA verify calls: Verified, and with an
// mfaToken the token set of the finished sign-in (SignInTokens).
type MFAVerified = wire.MFAVerified

// Factor is an enrolled second factor: FactorID, FactorType ("OTP", "SMS",
// "EMAIL") and the Profile of a code factor.
type Factor = wire.Factor

// EnrollRequest is what SendEnrollFactorRequest answers: the
// EnrollmentToken for EnrollFactor and, for OTP, the OTPData to scan.
type EnrollRequest = wire.EnrollRequest

// EnrollProfile is where an SMS or EMAIL factor sends its codes.
type EnrollProfile struct {
	PhoneNumber      string `json:"phoneNumber,omitempty"`
	PhoneCountryCode string `json:"phoneCountryCode,omitempty"`
	Email            string `json:"email,omitempty"`
}

// ListFactorsToEnroll returns the factor types the user may still enroll
// (GET <AppHost>/api/v3/list-factors-to-enroll).
func (c *Client) ListFactorsToEnroll(ctx context.Context, accessToken string) ([]string, error) {
	var list []wire.FactorType
	if err := c.callAPI(ctx, http.MethodGet, "list-factors-to-enroll", nil, false, accessToken, &list); err != nil {
		return nil, err
	}
	types := make([]string, len(list))
	for i, f := range list {
		types[i] = f.FactorType
	}
	return types, nil
}

// SendEnrollFactorRequest starts enrolling a factor of factorType (POST
// <AppHost>/api/v3/send-enroll-factor-request): for "OTP" a new secret and
// recovery codes, for "SMS" and "EMAIL" a code sent to profile's address.
// It needs a sign-in within the last 15 minutes.
func (c *Client) SendEnrollFactorRequest(ctx context.Context, accessToken, factorType string, profile *EnrollProfile) (*EnrollRequest, error) {
	body := map[string]any{"factorType": factorType}
	if profile != nil {
		body["profile"] = profile
	}
	var r EnrollRequest
	if err := c.callAPI(ctx, http.MethodPost, "send-enroll-factor-request", body, false, accessToken, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// EnrollFactor enrolls the factor with the first TOTP code or the code sent
// (POST <AppHost>/api/v3/enroll-factor). Called with the mfaToken of a
// sign-in that must enroll, it answers that sign-in's tokens; else nil.
func (c *Client) EnrollFactor(ctx context.Context, accessToken, factorType, enrollmentToken, passCode string) (*SignInTokens, error) {
	body := map[string]any{"factorType": factorType, "enrollmentToken": enrollmentToken,
		"enrollmentData": map[string]string{"passCode": passCode}}
	var raw json.RawMessage
	if err := c.callAPI(ctx, http.MethodPost, "enroll-factor", body, false, accessToken, &raw); err != nil {
		return nil, err
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var v MFAVerified
	if err := decode("enroll-factor", raw, &v); err != nil {
		return nil, err
	}
	return v.SignInTokens, nil
}

// ListEnrolledFactors returns the user's factors (GET
// <AppHost>/api/v3/list-enrolled-factors).
func (c *Client) ListEnrolledFactors(ctx context.Context, accessToken string) ([]Factor, error) {
	var list []Factor
	if err := c.callAPI(ctx, http.MethodGet, "list-enrolled-factors", nil, false, accessToken, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// GetFactor returns one of the user's factors (GET
// <AppHost>/api/v3/get-factor); another user's or an unknown one gives an
// *APIError with StatusCode 404.
func (c *Client) GetFactor(ctx context.Context, accessToken, factorID string) (*Factor, error) {
	var f Factor
	path := "get-factor?" + url.Values{"factorId": {factorID}}.Encode()
	if err := c.callAPI(ctx, http.MethodGet, path, nil, false, accessToken, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// ResetFactor removes one of the user's factors (POST
// <AppHost>/api/v3/reset-factor); it needs a sign-in within the last 15
// minutes.
func (c *Client) ResetFactor(ctx context.Context, accessToken, factorID string) error {
	return c.callAPI(ctx, http.MethodPost, "reset-factor", map[string]string{"factorId": factorID}, false, accessToken, nil)
}

// MFAOTPVerify checks a TOTP code (POST <AppHost>/api/v3/mfa-totp-verify).
// With the MFAToken of APIError.MFA as token it finishes that sign-in:
// the answer carries its tokens. A wrong code is Verified false.
func (c *Client) MFAOTPVerify(ctx context.Context, token, totp string) (*MFAVerified, error) {
	return c.mfaVerify(ctx, "mfa-totp-verify", token, map[string]string{"totp": totp})
}

// MFASMSVerify is MFAOTPVerify with a CHANNEL_VERIFY_MFA code sent to the
// user's SMS factor (POST <AppHost>/api/v3/mfa-sms-verify, GenAuth's own).
func (c *Client) MFASMSVerify(ctx context.Context, token, passCode string) (*MFAVerified, error) {
	return c.mfaVerify(ctx, "mfa-sms-verify", token, map[string]string{"passCode": passCode})
}

// MFAEmailVerify is MFASMSVerify for the EMAIL factor (POST
// <AppHost>/api/v3/mfa-email-verify, GenAuth's own).
func (c *Client) MFAEmailVerify(ctx context.Context, token, passCode string) (*MFAVerified, error) {
	return c.mfaVerify(ctx, "mfa-email-verify", token, map[string]string{"passCode": passCode})
}

// MFARecoveryCodeVerify is MFAOTPVerify with one of the user's recovery
// codes, each good once (POST <AppHost>/api/v3/mfa-recovery-code-verify,
// GenAuth's own).
func (c *Client) MFARecoveryCodeVerify(ctx context.Context, token, code string) (*MFAVerified, error) {
	return c.mfaVerify(ctx, "mfa-recovery-code-verify", token, map[string]string{"recoveryCode": code})
}

func (c *Client) mfaVerify(ctx context.Context, path, token string, body map[string]string) (*MFAVerified, error) {
	var v MFAVerified
	if err := c.callAPI(ctx, http.MethodPost, path, body, false, token, &v); err != nil {
		return nil, err
	}
	return &v, nil
}
