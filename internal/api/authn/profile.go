package authn

import (
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/wire"
)

// profile is get-profile's UserDto: customData only when asked for.
type profile struct {
	wire.User
	CustomData *map[string]any `json:"customData,omitempty"`
}

// getProfile serves GET get-profile (contract 4.1): the token's own user.
func (h *Handler) getProfile(c *call) (any, *envelope.Error) {
	withCustom, e := c.query.Bool("withCustomData")
	if e != nil {
		return nil, e
	}
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	p := profile{User: envelope.NewUser(u)}
	if withCustom != nil && *withCustom {
		p.CustomData = &p.User.CustomData
	}
	return p, nil
}
