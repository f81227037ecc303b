package authentication

import (
	"context"
	"net/http"

	"github.com/opengenauth/genauth/internal/wire"
)

// Channels say what a verification code is for; a code works only for the
// channel it was sent for. The server accepts every channel GenAuth names
// (see the README); these are the ones its own features consume.
const (
	// ChannelLogin codes sign in (SignInByEmailPassCode, SignInByPhonePassCode).
	ChannelLogin         = "CHANNEL_LOGIN"
	ChannelRegister      = "CHANNEL_REGISTER"
	ChannelResetPassword = "CHANNEL_RESET_PASSWORD"
)

// CodeCheck is PreCheckCode's answer: IsValid, and Message saying why not.
type CodeCheck = wire.CodeCheck

// SendEmail sends a verification code for channel to email (POST
// <AppHost>/api/v3/send-email). A second send to the address for the channel
// within a minute gives an *APIError with StatusCode 429; a server with no
// email configured answers 501. For ChannelLogin and ChannelResetPassword
// the answer is the same whether or not the address is a user's (nothing is
// sent when it is not).
func (c *Client) SendEmail(ctx context.Context, email, channel string) error {
	return c.callAPI(ctx, http.MethodPost, "send-email", map[string]string{"email": email, "channel": channel}, false, "", nil)
}

// SendSMS is SendEmail by text message (POST <AppHost>/api/v3/send-sms):
// countryCode (such as "+86") may be empty, when phone carries its own or
// the user's number was stored without one.
func (c *Client) SendSMS(ctx context.Context, phone, countryCode, channel string) error {
	body := map[string]string{"phoneNumber": phone, "channel": channel}
	if countryCode != "" {
		body["phoneCountryCode"] = countryCode
	}
	return c.callAPI(ctx, http.MethodPost, "send-sms", body, false, "", nil)
}

// PreCheck names a code to check: Email, or Phone with the optional
// PhoneCountryCode, and the Channel it was sent for.
type PreCheck struct {
	Email            string
	Phone            string
	PhoneCountryCode string
	PassCode         string
	Channel          string
}

// PreCheckCode says whether a code is right without using it up (POST
// <AppHost>/api/v3/pre-check-code); a wrong code still counts towards the
// five tries a code allows.
func (c *Client) PreCheckCode(ctx context.Context, p PreCheck) (*CodeCheck, error) {
	body := map[string]any{}
	if p.Email != "" {
		body["codeType"] = "EMAIL"
		body["emailCodePayload"] = map[string]string{"email": p.Email, "passCode": p.PassCode, "channel": p.Channel}
	} else {
		payload := map[string]string{"phone": p.Phone, "passCode": p.PassCode, "channel": p.Channel}
		if p.PhoneCountryCode != "" {
			payload["phoneCountryCode"] = p.PhoneCountryCode
		}
		body["codeType"], body["smsCodePayload"] = "SMS", payload
	}
	var check CodeCheck
	if err := c.callAPI(ctx, http.MethodPost, "pre-check-code", body, false, "", &check); err != nil {
		return nil, err
	}
	return &check, nil
}

// SignInByEmailPassCode signs a user in with a ChannelLogin code sent by
// SendEmail (POST <AppHost>/api/v3/signin, connection PASSCODE), using the
// code up. A wrong or used code, or an address that is no user's, gives an
// *APIError with StatusCode 403 and APICode 2001; an expired one APICode 2300.
func (c *Client) SignInByEmailPassCode(ctx context.Context, email, passCode string, opts *SignInOptions) (*SignInTokens, error) {
	return c.signIn(ctx, map[string]any{"connection": "PASSCODE",
		"passCodePayload": map[string]string{"email": email, "passCode": passCode}}, map[string]string{}, opts)
}

// SignInByPhonePassCode is SignInByEmailPassCode with a code sent by SendSMS.
func (c *Client) SignInByPhonePassCode(ctx context.Context, phone, countryCode, passCode string, opts *SignInOptions) (*SignInTokens, error) {
	payload := map[string]string{"phone": phone, "passCode": passCode}
	if countryCode != "" {
		payload["phoneCountryCode"] = countryCode
	}
	return c.signIn(ctx, map[string]any{"connection": "PASSCODE", "passCodePayload": payload}, map[string]string{}, opts)
}
