package authentication

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// UserInfo is a userinfo answer. Claims are pointers so that a claim the
// server does not know (absent or null) is nil, distinct from a known empty
// value. Sub is always present.
type UserInfo struct {
	Sub                 string   `json:"sub"`
	Name                *string  `json:"name"`
	GivenName           *string  `json:"given_name"`
	FamilyName          *string  `json:"family_name"`
	MiddleName          *string  `json:"middle_name"`
	Nickname            *string  `json:"nickname"`
	PreferredUsername   *string  `json:"preferred_username"`
	Profile             *string  `json:"profile"`
	Picture             *string  `json:"picture"`
	Website             *string  `json:"website"`
	Email               *string  `json:"email"`
	EmailVerified       *bool    `json:"email_verified"`
	Gender              *string  `json:"gender"` // "M", "F" or "U"
	Birthdate           *string  `json:"birthdate"`
	Zoneinfo            *string  `json:"zoneinfo"`
	Locale              *string  `json:"locale"`
	PhoneNumber         *string  `json:"phone_number"`
	PhoneNumberVerified *bool    `json:"phone_number_verified"`
	Address             *Address `json:"address"`
	// UpdatedAt accepts GenAuth's ISO 8601 string and OIDC's seconds number.
	UpdatedAt *time.Time `json:"-"`
	// Raw is the answer as received; Claim decodes claims not modelled here.
	Raw json.RawMessage `json:"-"`
}

// Address is the OIDC address claim; nil fields are unknown.
type Address struct {
	Formatted     *string `json:"formatted"`
	StreetAddress *string `json:"street_address"`
	Locality      *string `json:"locality"`
	Region        *string `json:"region"`
	PostalCode    *string `json:"postal_code"`
	Country       *string `json:"country"`
}

// UnmarshalJSON decodes a userinfo object, keeping the raw bytes.
func (u *UserInfo) UnmarshalJSON(b []byte) error {
	type plain UserInfo // no methods: no recursion
	var w struct {
		*plain
		UpdatedAt json.RawMessage `json:"updated_at"`
	}
	w.plain = (*plain)(u)
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	t, err := parseUpdatedAt(w.UpdatedAt)
	if err != nil {
		return err
	}
	u.UpdatedAt = t
	u.Raw = append(json.RawMessage(nil), b...)
	return nil
}

func parseUpdatedAt(raw json.RawMessage) (*time.Time, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("updated_at: %w", err)
		}
		return &t, nil
	}
	var secs float64
	if err := json.Unmarshal(raw, &secs); err != nil {
		return nil, fmt.Errorf("updated_at is neither a time string nor a number: %s", raw)
	}
	t := time.Unix(int64(secs), 0).UTC()
	return &t, nil
}

// Claim decodes the claim name from Raw into v and reports whether it was
// present and not null.
func (u *UserInfo) Claim(name string, v any) (bool, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(u.Raw, &all); err != nil {
		return false, err
	}
	raw, ok := all[name]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return false, nil
	}
	return true, json.Unmarshal(raw, v)
}

// GetUserInfoByAccessToken returns the profile of the access token's user
// from <AppHost>/<protocol>/me, sending the token as
// Authorization: Bearer. An invalid token gives an *Error with Code
// "invalid_token".
func (c *Client) GetUserInfoByAccessToken(ctx context.Context, accessToken string) (*UserInfo, error) {
	if accessToken == "" {
		return nil, errors.New("authentication: GetUserInfoByAccessToken needs an access token")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint("/me"), nil)
	if err != nil {
		return nil, fmt.Errorf("authentication: building request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	body, err := c.do(req)
	if err != nil {
		return nil, err
	}
	var u UserInfo
	if err := decode("/me", body, &u); err != nil {
		return nil, err
	}
	if u.Sub == "" {
		return nil, errors.New("authentication: userinfo response has no sub")
	}
	return &u, nil
}
