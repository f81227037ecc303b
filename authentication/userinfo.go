package authentication

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/opengenauth/genauth/internal/wire"
)

// UserInfo is a userinfo answer, and the user claims of an id token
// ([IDToken].User). Sub is always present; every other claim is a pointer,
// nil when the server does not know it (sent as null in GenAuth's claims
// format, left out in OpenID Connect's standard one):
//
//	Sub                 string
//	Name                *string
//	GivenName           *string
//	FamilyName          *string
//	MiddleName          *string
//	Nickname            *string
//	PreferredUsername   *string
//	Profile             *string
//	Picture             *string
//	Website             *string
//	Email               *string
//	EmailVerified       *bool
//	Gender              *string // "M", "F" or "U"
//	Birthdate           *string
//	Zoneinfo            *string
//	Locale              *string
//	PhoneNumber         *string
//	PhoneNumberVerified *bool
//	Address             *Address
//	UpdatedAt           *time.Time      // from GenAuth's ISO 8601 string or OpenID Connect's seconds
//	Raw                 json.RawMessage // the answer as received
//
// Its method Claim(name, &v) decodes a claim not modelled here from Raw and
// reports whether it was present and not null. It encodes to JSON in
// GenAuth's claims format, so a UserInfo stored as JSON decodes back to
// itself. It is the userinfo type the server's claims are checked against,
// shared so that the two cannot drift apart.
type UserInfo = wire.UserInfo

// Address is the OpenID Connect address claim; nil fields are unknown:
//
//	Formatted     *string
//	StreetAddress *string
//	Locality      *string
//	Region        *string
//	PostalCode    *string
//	Country       *string
type Address = wire.Address

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
