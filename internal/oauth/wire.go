package oauth

// tokenResponse is the token endpoint's success body (RFC 6749 section 5.1).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
}

// introspection is RFC 7662's response; an inactive token gets only Active.
type introspection struct {
	Active    bool   `json:"active"`
	Sub       string `json:"sub,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Iss       string `json:"iss,omitempty"`
	JTI       string `json:"jti,omitempty"`
	Scope     string `json:"scope,omitempty"`
	TokenType string `json:"token_type,omitempty"`
}

// address is the userinfo address claim with every key present.
type address struct {
	Formatted     *string `json:"formatted"`
	StreetAddress *string `json:"street_address"`
	Locality      *string `json:"locality"`
	Region        *string `json:"region"`
	PostalCode    *string `json:"postal_code"`
	Country       *string `json:"country"`
}

// userinfo carries every standard claim key, null where unknown, as the
// GenAuth SDKs expect.
type userinfo struct {
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
	EmailVerified       bool     `json:"email_verified"`
	Gender              string   `json:"gender"`
	Birthdate           *string  `json:"birthdate"`
	Zoneinfo            *string  `json:"zoneinfo"`
	Locale              *string  `json:"locale"`
	PhoneNumber         *string  `json:"phone_number"`
	PhoneNumberVerified bool     `json:"phone_number_verified"`
	Address             *address `json:"address"`
	UpdatedAt           string   `json:"updated_at"`
}
