package wire

import "encoding/json"

// TokenResponse is the token endpoint's success answer: RFC 6749 section
// 5.1 plus OpenID Connect's id_token, with the keys in the order GenAuth
// sends them.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"` // "Bearer"
	ExpiresIn    int64  `json:"expires_in"` // seconds the access token lives
	RefreshToken string `json:"refresh_token,omitempty"`
	// Scope is always sent: empty for a client_credentials token without scope.
	Scope   string `json:"scope"`
	IDToken string `json:"id_token,omitempty"` // OpenID Connect only
	// Raw is the answer as the SDK received it, for fields not modelled
	// here; never encoded.
	Raw json.RawMessage `json:"-"`
}
