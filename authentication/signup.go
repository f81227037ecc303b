package authentication

import (
	"context"
	"net/http"
)

// SignUpProfile are profile fields of a new user; empty ones are left out.
type SignUpProfile struct {
	Name              string         `json:"name,omitempty"`
	Nickname          string         `json:"nickname,omitempty"`
	GivenName         string         `json:"givenName,omitempty"`
	FamilyName        string         `json:"familyName,omitempty"`
	MiddleName        string         `json:"middleName,omitempty"`
	PreferredUsername string         `json:"preferredUsername,omitempty"`
	Profile           string         `json:"profile,omitempty"`
	Photo             string         `json:"photo,omitempty"`
	Website           string         `json:"website,omitempty"`
	Gender            string         `json:"gender,omitempty"` // M, F or U
	Birthdate         string         `json:"birthdate,omitempty"`
	Zoneinfo          string         `json:"zoneinfo,omitempty"`
	Locale            string         `json:"locale,omitempty"`
	Address           string         `json:"address,omitempty"`
	CustomData        map[string]any `json:"customData,omitempty"`
	// Email and Phone (with PhoneCountryCode) complete the profile, each
	// proven by its code: EmailPassCode of ChannelCompleteEmail,
	// PhonePassCode of ChannelCompletePhone. EmailPassCode alone proves
	// the email of SignUpByEmailPassword, which an application that requires
	// verified emails asks for.
	Email            string `json:"email,omitempty"`
	Phone            string `json:"phone,omitempty"`
	PhoneCountryCode string `json:"phoneCountryCode,omitempty"`
	EmailPassCode    string `json:"-"`
	PhonePassCode    string `json:"-"`
}

// SignUpByUsernamePassword registers a user with a username and a password
// through the application (POST <AppHost>/api/v3/signup, connection
// PASSWORD) and returns the new user; profile may be nil. It does not sign
// the user in. An application that closed registration gives an *APIError
// with StatusCode 403 and APICode 2031; a taken username, StatusCode 409.
func (c *Client) SignUpByUsernamePassword(ctx context.Context, username, password string, profile *SignUpProfile) (*User, error) {
	return c.signUp(ctx, "username", username, password, profile)
}

// SignUpByEmailPassword is SignUpByUsernamePassword with an email address.
func (c *Client) SignUpByEmailPassword(ctx context.Context, email, password string, profile *SignUpProfile) (*User, error) {
	return c.signUp(ctx, "email", email, password, profile)
}

func (c *Client) signUp(ctx context.Context, field, login, password string, profile *SignUpProfile) (*User, error) {
	pw, encrypt, err := c.sealPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	opts := map[string]string{}
	if encrypt != "" {
		opts["passwordEncryptType"] = encrypt
	}
	return c.signUpBy(ctx, map[string]any{
		"connection":      "PASSWORD",
		"passwordPayload": map[string]string{field: login, "password": pw},
	}, opts, profile)
}

// signUpBy sends body with opts, and profile with its completion codes.
func (c *Client) signUpBy(ctx context.Context, body map[string]any, opts map[string]string, profile *SignUpProfile) (*User, error) {
	if profile != nil {
		body["profile"] = profile
		if profile.EmailPassCode != "" {
			opts["emailPassCodeForInformationCompletion"] = profile.EmailPassCode
		}
		if profile.PhonePassCode != "" {
			opts["phonePassCodeForInformationCompletion"] = profile.PhonePassCode
		}
	}
	if len(opts) > 0 {
		body["options"] = opts
	}
	var u User
	if err := c.callAPI(ctx, http.MethodPost, "signup", body, false, "", &u); err != nil {
		return nil, err
	}
	return &u, nil
}
