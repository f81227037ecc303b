package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// The user claims, named once for the server (which releases them by scope)
// and for UserInfo's keys (OpenID Connect Core 5.1).
const (
	ClaimSub                 = "sub"
	ClaimName                = "name"
	ClaimGivenName           = "given_name"
	ClaimFamilyName          = "family_name"
	ClaimMiddleName          = "middle_name"
	ClaimNickname            = "nickname"
	ClaimPreferredUsername   = "preferred_username"
	ClaimProfile             = "profile"
	ClaimPicture             = "picture"
	ClaimWebsite             = "website"
	ClaimEmail               = "email"
	ClaimEmailVerified       = "email_verified"
	ClaimGender              = "gender"
	ClaimBirthdate           = "birthdate"
	ClaimZoneinfo            = "zoneinfo"
	ClaimLocale              = "locale"
	ClaimPhoneNumber         = "phone_number"
	ClaimPhoneNumberVerified = "phone_number_verified"
	ClaimAddress             = "address"
	ClaimUpdatedAt           = "updated_at"
)

// The parts of the address claim (OpenID Connect Core 5.1.1).
const (
	AddressFormatted     = "formatted"
	AddressStreetAddress = "street_address"
	AddressLocality      = "locality"
	AddressRegion        = "region"
	AddressPostalCode    = "postal_code"
	AddressCountry       = "country"
)

// UpdatedAtLayout is GenAuth's updated_at: ISO 8601 in UTC with
// milliseconds. OpenID Connect's standard format sends seconds instead.
const UpdatedAtLayout = "2006-01-02T15:04:05.000Z"

// UserInfo is the userinfo answer, whose claims an id token carries too.
// It decodes both claims formats: GenAuth's, where an unknown claim is null
// and updated_at an ISO 8601 string, and OpenID Connect's standard one,
// where an unknown claim is absent and updated_at counts seconds. Claims are
// pointers, so an absent or null claim is nil, distinct from a known empty
// value. Sub is always present.
//
// It encodes in GenAuth's format, so that decoding what it encoded gives it
// back.
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
	// UpdatedAt is when the profile last changed.
	UpdatedAt *time.Time `json:"updated_at"`
	// Raw is the answer as decoded; Claim reads claims not modelled here.
	// Never encoded.
	Raw json.RawMessage `json:"-"`
}

// Address is the address claim; nil fields are unknown.
type Address struct {
	Formatted     *string `json:"formatted"`
	StreetAddress *string `json:"street_address"`
	Locality      *string `json:"locality"`
	Region        *string `json:"region"`
	PostalCode    *string `json:"postal_code"`
	Country       *string `json:"country"`
}

// userInfoFields is UserInfo without its methods, so that the wrappers of
// MarshalJSON and UnmarshalJSON do not recurse; their updated_at field
// shadows UserInfo's.
type userInfoFields UserInfo

// UnmarshalJSON decodes a userinfo object in either claims format and keeps
// the raw bytes.
func (u *UserInfo) UnmarshalJSON(b []byte) error {
	var w struct {
		*userInfoFields
		UpdatedAt json.RawMessage `json:"updated_at"`
	}
	w.userInfoFields = (*userInfoFields)(u)
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

// MarshalJSON encodes u in GenAuth's claims format: nil claims as null,
// updated_at as an ISO 8601 string.
func (u UserInfo) MarshalJSON() ([]byte, error) {
	w := struct {
		userInfoFields
		UpdatedAt *string `json:"updated_at"`
	}{userInfoFields: userInfoFields(u)}
	if u.UpdatedAt != nil {
		s := u.UpdatedAt.UTC().Format(UpdatedAtLayout)
		w.UpdatedAt = &s
	}
	return json.Marshal(w)
}

// parseUpdatedAt reads GenAuth's time string or OpenID Connect's seconds.
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
