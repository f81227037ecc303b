package wire

import (
	"encoding/json"
	"time"
)

// Introspection is the RFC 7662 introspection answer. An inactive token
// (expired, revoked, unknown or another client's) gets Active false and
// nothing else.
type Introspection struct {
	Active    bool   `json:"active"`
	Sub       string `json:"sub,omitempty"` // the user id; the client id for a client_credentials token
	ClientID  string `json:"client_id,omitempty"`
	Exp       int64  `json:"exp,omitempty"` // expiry, seconds since the epoch
	Iat       int64  `json:"iat,omitempty"` // issue time, seconds since the epoch
	Iss       string `json:"iss,omitempty"`
	JTI       string `json:"jti,omitempty"`
	Scope     string `json:"scope,omitempty"`
	TokenType string `json:"token_type,omitempty"` // "Bearer" or "refresh_token"
	// Raw is the answer as the SDK received it, for fields not modelled
	// here; never encoded.
	Raw json.RawMessage `json:"-"`
}

// ExpiresAt returns Exp as a time; the zero time when Exp is absent.
func (i *Introspection) ExpiresAt() time.Time {
	if i.Exp == 0 {
		return time.Time{}
	}
	return time.Unix(i.Exp, 0)
}
