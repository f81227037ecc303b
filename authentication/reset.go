package authentication

import (
	"context"
	"net/http"

	"github.com/opengenauth/genauth/internal/wire"
)

// ResetRequest proves a user holds an email address or a phone number: a
// ChannelResetPassword code sent there by SendEmail or SendSMS. Set Email,
// or Phone with the optional PhoneCountryCode.
type ResetRequest struct {
	Email            string
	Phone            string
	PhoneCountryCode string
	PassCode         string
}

// ResetToken is VerifyResetPasswordRequest's answer: the token ResetPassword
// takes, good once for TokenExpiresIn seconds.
type ResetToken = wire.ResetToken

// VerifyResetPasswordRequest uses up a ChannelResetPassword code and returns
// a reset token for the user at its address (POST
// <AppHost>/api/v3/verify-reset-password-request). A wrong or used code, or
// an address that is no user's, gives an *APIError with StatusCode 403 and
// APICode 2001; an expired one APICode 2300.
func (c *Client) VerifyResetPasswordRequest(ctx context.Context, r ResetRequest) (*ResetToken, error) {
	body := map[string]any{}
	if r.Email != "" {
		body["verifyMethod"] = "EMAIL_PASSCODE"
		body["emailPassCodePayload"] = map[string]string{"email": r.Email, "passCode": r.PassCode}
	} else {
		payload := map[string]string{"phoneNumber": r.Phone, "passCode": r.PassCode}
		if r.PhoneCountryCode != "" {
			payload["phoneCountryCode"] = r.PhoneCountryCode
		}
		body["verifyMethod"], body["phonePassCodePayload"] = "PHONE_PASSCODE", payload
	}
	var tok ResetToken
	if err := c.callAPI(ctx, http.MethodPost, "verify-reset-password-request", body, false, "", &tok); err != nil {
		return nil, err
	}
	return &tok, nil
}

// ResetPassword sets the password of the reset token's user (POST
// <AppHost>/api/v3/reset-password), using the token up, and signs the user
// out everywhere. A password the policy refuses gives StatusCode 400 and
// leaves the token usable; a bad, used or expired token StatusCode 403.
func (c *Client) ResetPassword(ctx context.Context, resetToken, password string) error {
	pw, encrypt, err := c.sealPassword(ctx, password)
	if err != nil {
		return err
	}
	body := map[string]string{"passwordResetToken": resetToken, "password": pw}
	if encrypt != "" {
		body["passwordEncryptType"] = encrypt
	}
	return c.callAPI(ctx, http.MethodPost, "reset-password", body, false, "", nil)
}
