package authentication

import (
	"context"
	"net/http"

	"github.com/opengenauth/genauth/internal/wire"
)

// The channels of the codes that prove an address for sign-up, binding,
// changing it and deleting the account.
const (
	ChannelCompleteEmail = "CHANNEL_COMPLETE_EMAIL"
	ChannelCompletePhone = "CHANNEL_COMPLETE_PHONE"
	ChannelBindEmail     = "CHANNEL_BIND_EMAIL"
	ChannelUnbindEmail   = "CHANNEL_UNBIND_EMAIL"
	ChannelBindPhone     = "CHANNEL_BIND_PHONE"
	ChannelUnbindPhone   = "CHANNEL_UNBIND_PHONE"
	ChannelUpdateEmail   = "CHANNEL_UPDATE_EMAIL"
	ChannelDeleteAccount = "CHANNEL_DELETE_ACCOUNT"
)

// UpdateEmailGrant is VerifyUpdateEmailRequest's answer: the token
// UpdateEmail takes and its lifetime in seconds.
type UpdateEmailGrant = wire.UpdateEmailGrant

// UpdatePhoneGrant is VerifyUpdatePhoneRequest's answer.
type UpdatePhoneGrant = wire.UpdatePhoneGrant

// DeleteAccountGrant is VerifyDeleteAccountRequest's answer.
type DeleteAccountGrant = wire.DeleteAccountGrant

// SignUpByEmailCode registers a user by a ChannelRegister code sent to
// email (POST <AppHost>/api/v3/signup, connection PASSCODE), using the code
// up; the new user has no password and a verified email. profile may be nil.
// A wrong or used code gives an *APIError with StatusCode 403 and APICode 2001.
func (c *Client) SignUpByEmailCode(ctx context.Context, email, passCode string, profile *SignUpProfile) (*User, error) {
	return c.signUpBy(ctx, map[string]any{"connection": "PASSCODE",
		"passCodePayload": map[string]string{"email": email, "passCode": passCode}}, map[string]string{}, profile)
}

// SignUpByPhoneCode is SignUpByEmailCode with a code sent by SendSMS;
// countryCode may be empty; a non-empty password becomes the user's.
func (c *Client) SignUpByPhoneCode(ctx context.Context, phone, countryCode, passCode, password string, profile *SignUpProfile) (*User, error) {
	payload := map[string]string{"phone": phone, "passCode": passCode}
	if countryCode != "" {
		payload["phoneCountryCode"] = countryCode
	}
	opts := map[string]string{}
	if password != "" {
		pw, encrypt, err := c.sealPassword(ctx, password)
		if err != nil {
			return nil, err
		}
		opts["passwordForPhonePassCode"] = pw
		if encrypt != "" {
			opts["passwordEncryptType"] = encrypt
		}
	}
	return c.signUpBy(ctx, map[string]any{"connection": "PASSCODE", "passCodePayload": payload}, opts, profile)
}

// BindEmail gives the access token's user an email, proven by a
// ChannelBindEmail code sent to it (POST <AppHost>/api/v3/bind-email). A
// user who has one gives an *APIError with StatusCode 422; an email another
// user holds, 409.
func (c *Client) BindEmail(ctx context.Context, accessToken, email, passCode string) error {
	return c.callAPI(ctx, http.MethodPost, "bind-email", map[string]string{"email": email, "passCode": passCode}, false, accessToken, nil)
}

// UnbindEmail removes the user's email with a ChannelUnbindEmail code sent
// to it (POST <AppHost>/api/v3/unbind-email); StatusCode 422 when there is
// none or it is the user's last way to sign in.
func (c *Client) UnbindEmail(ctx context.Context, accessToken, passCode string) error {
	return c.callAPI(ctx, http.MethodPost, "unbind-email", map[string]string{"passCode": passCode}, false, accessToken, nil)
}

// BindPhone is BindEmail for a phone number and a ChannelBindPhone code.
func (c *Client) BindPhone(ctx context.Context, accessToken, phone, countryCode, passCode string) error {
	body := map[string]string{"phoneNumber": phone, "passCode": passCode}
	if countryCode != "" {
		body["phoneCountryCode"] = countryCode
	}
	return c.callAPI(ctx, http.MethodPost, "bind-phone", body, false, accessToken, nil)
}

// UnbindPhone is UnbindEmail for the phone number and a ChannelUnbindPhone code.
func (c *Client) UnbindPhone(ctx context.Context, accessToken, passCode string) error {
	return c.callAPI(ctx, http.MethodPost, "unbind-phone", map[string]string{"passCode": passCode}, false, accessToken, nil)
}

// EmailChange proves an email change: the new email's ChannelUpdateEmail
// code, and the current email's (same channel) when it is verified.
type EmailChange struct {
	NewEmail         string `json:"newEmail"`
	NewEmailPassCode string `json:"newEmailPassCode"`
	OldEmail         string `json:"oldEmail,omitempty"`
	OldEmailPassCode string `json:"oldEmailPassCode,omitempty"`
}

// VerifyUpdateEmailRequest proves an email change (POST
// <AppHost>/api/v3/verify-update-email-request) and returns the token
// UpdateEmail takes, good once for 60 seconds.
func (c *Client) VerifyUpdateEmailRequest(ctx context.Context, accessToken string, ch EmailChange) (*UpdateEmailGrant, error) {
	var g UpdateEmailGrant
	body := map[string]any{"verifyMethod": "EMAIL_PASSCODE", "emailPassCodePayload": ch}
	if err := c.callAPI(ctx, http.MethodPost, "verify-update-email-request", body, false, accessToken, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// UpdateEmail sets the email VerifyUpdateEmailRequest proved (POST
// <AppHost>/api/v3/update-email). A used, expired or other user's token
// gives an *APIError with StatusCode 403.
func (c *Client) UpdateEmail(ctx context.Context, accessToken, updateEmailToken string) error {
	return c.callAPI(ctx, http.MethodPost, "update-email", map[string]string{"updateEmailToken": updateEmailToken}, false, accessToken, nil)
}

// PhoneChange proves a phone change: the new number's ChannelBindPhone
// code, and the current verified number's ChannelUnbindPhone code.
type PhoneChange struct {
	NewPhoneNumber      string `json:"newPhoneNumber"`
	NewPhoneCountryCode string `json:"newPhoneCountryCode,omitempty"`
	NewPhonePassCode    string `json:"newPhonePassCode"`
	OldPhoneNumber      string `json:"oldPhoneNumber,omitempty"`
	OldPhoneCountryCode string `json:"oldPhoneCountryCode,omitempty"`
	OldPhonePassCode    string `json:"oldPhonePassCode,omitempty"`
}

// VerifyUpdatePhoneRequest is VerifyUpdateEmailRequest for the phone.
func (c *Client) VerifyUpdatePhoneRequest(ctx context.Context, accessToken string, ch PhoneChange) (*UpdatePhoneGrant, error) {
	var g UpdatePhoneGrant
	body := map[string]any{"verifyMethod": "PHONE_PASSCODE", "phonePassCodePayload": ch}
	if err := c.callAPI(ctx, http.MethodPost, "verify-update-phone-request", body, false, accessToken, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// UpdatePhone is UpdateEmail for the phone.
func (c *Client) UpdatePhone(ctx context.Context, accessToken, updatePhoneToken string) error {
	return c.callAPI(ctx, http.MethodPost, "update-phone", map[string]string{"updatePhoneToken": updatePhoneToken}, false, accessToken, nil)
}

// DeleteVerification proves an account deletion: a ChannelDeleteAccount
// PassCode sent to the user's Email (which may be left empty) or Phone, or,
// for a user with neither, the Password.
type DeleteVerification struct {
	Email, Phone, PhoneCountryCode, PassCode string
	Password                                 string
}

// VerifyDeleteAccountRequest proves an account deletion (POST
// <AppHost>/api/v3/verify-delete-account-request) and returns the token
// DeleteAccount takes, good once for 60 seconds.
func (c *Client) VerifyDeleteAccountRequest(ctx context.Context, accessToken string, v DeleteVerification) (*DeleteAccountGrant, error) {
	body := map[string]any{}
	switch {
	case v.Phone != "":
		payload := map[string]string{"phoneNumber": v.Phone, "passCode": v.PassCode}
		if v.PhoneCountryCode != "" {
			payload["phoneCountryCode"] = v.PhoneCountryCode
		}
		body["verifyMethod"], body["phonePassCodePayload"] = "PHONE_PASSCODE", payload
	case v.PassCode != "":
		payload := map[string]string{"passCode": v.PassCode}
		if v.Email != "" {
			payload["email"] = v.Email
		}
		body["verifyMethod"], body["emailPassCodePayload"] = "EMAIL_PASSCODE", payload
	default:
		pw, encrypt, err := c.sealPassword(ctx, v.Password)
		if err != nil {
			return nil, err
		}
		payload := map[string]string{"password": pw}
		if encrypt != "" {
			payload["passwordEncryptType"] = encrypt
		}
		body["verifyMethod"], body["passwordPayload"] = "PASSWORD", payload
	}
	var g DeleteAccountGrant
	if err := c.callAPI(ctx, http.MethodPost, "verify-delete-account-request", body, false, accessToken, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// DeleteAccount deletes the user and everything they hold (POST
// <AppHost>/api/v3/delete-account); accessToken is refused afterwards.
func (c *Client) DeleteAccount(ctx context.Context, accessToken, deleteAccountToken string) error {
	return c.callAPI(ctx, http.MethodPost, "delete-account", map[string]string{"deleteAccountToken": deleteAccountToken}, false, accessToken, nil)
}
