package wire

// User is the UserDto of GenAuth's /api/v3: the management API's User and
// the authentication API's profile (which sends customData only when asked;
// absent, it decodes as nil). Times are ISO 8601 in UTC with milliseconds.
type User struct {
	UserID            string         `json:"userId"`
	CreatedAt         string         `json:"createdAt"`
	UpdatedAt         string         `json:"updatedAt"`
	Status            string         `json:"status"`
	Gender            string         `json:"gender"`
	EmailVerified     bool           `json:"emailVerified"`
	PhoneVerified     bool           `json:"phoneVerified"`
	UserSourceType    string         `json:"userSourceType"`
	UserSourceID      string         `json:"userSourceId,omitempty"`
	Username          string         `json:"username,omitempty"`
	Email             string         `json:"email,omitempty"`
	Phone             string         `json:"phone,omitempty"`
	ExternalID        string         `json:"externalId,omitempty"`
	Name              string         `json:"name,omitempty"`
	Nickname          string         `json:"nickname,omitempty"`
	Photo             string         `json:"photo,omitempty"`
	LoginsCount       int            `json:"loginsCount"`
	LastLogin         string         `json:"lastLogin,omitempty"`
	LastIP            string         `json:"lastIp,omitempty"`
	GivenName         string         `json:"givenName,omitempty"`
	FamilyName        string         `json:"familyName,omitempty"`
	MiddleName        string         `json:"middleName,omitempty"`
	PreferredUsername string         `json:"preferredUsername,omitempty"`
	Profile           string         `json:"profile,omitempty"`
	Website           string         `json:"website,omitempty"`
	Birthdate         string         `json:"birthdate,omitempty"`
	Zoneinfo          string         `json:"zoneinfo,omitempty"`
	Locale            string         `json:"locale,omitempty"`
	Address           string         `json:"address,omitempty"`
	CustomData        map[string]any `json:"customData"`
}

// SignInTokens is the data of the authentication API's signin: a token
// response with the lifetime under both names the SDKs read.
type SignInTokens struct {
	Scope        string `json:"scope"`
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	ExpireIn     int64  `json:"expire_in"`
}

// CodeCheck is the data of the authentication API's pre-check-code: whether
// the code is right and, when not, why.
type CodeCheck struct {
	IsValid bool   `json:"isValid"`
	Message string `json:"message,omitempty"`
}

// ResetToken is the data of verify-reset-password-request: the token that
// reset-password takes, and its lifetime in seconds.
type ResetToken struct {
	PasswordResetToken string `json:"passwordResetToken"`
	TokenExpiresIn     int64  `json:"tokenExpiresIn"`
}

// Success is the data of the endpoints that answer {success: true}
// (reset-password, update-email, update-phone, delete-account).
type Success struct {
	Success bool `json:"success"`
}

// Validity is the data of the calls that check something and answer yes or
// no: check-app-id-secret and validate-password.
type Validity struct {
	Valid bool `json:"valid"`
}

// SystemInfo is GET system's answer, sent without the envelope: the public
// half of the key rsa passwords are encrypted with (base64 of the DER
// SubjectPublicKeyInfo), the sm2 key (empty: not supported) and versions.
type SystemInfo struct {
	RSA struct {
		PublicKey string `json:"publicKey"`
	} `json:"rsa"`
	SM2 struct {
		PublicKey string `json:"publicKey"`
	} `json:"sm2"`
	Version struct {
		Server  string `json:"server"`
		Console string `json:"console"`
		Login   string `json:"login"`
	} `json:"version"`
	PublicIPs []string `json:"publicIps"`
}
