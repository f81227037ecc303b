package wire

// ExtIdpEntry is one connection of GET /api/v3/get-application-enabled-extidps
// (contract 7): a way to sign in to the application at an upstream
// identity provider. ExtIdpType is "social" for OpenID Connect and OAuth
// 2.0 providers, "enterprise" for LDAP and Active Directory; BindURL is
// where a browser starts it (the web kinds' start, the directories' form).
type ExtIdpEntry struct {
	Identifier string `json:"identifier"`
	ExtIdpID   string `json:"extIdpId"`
	Type       string `json:"type"`
	ExtIdpType string `json:"extIdpType"`
	BindURL    string `json:"bindUrl"`
	Name       string `json:"name"`
	NameEn     string `json:"name_en"`
	Logo       string `json:"logo"`
}

// LinkURL is GET /api/v3/generate-link-extidp-url's data: the page that
// links the id token's user to an upstream account once they confirm.
type LinkURL struct {
	URL string `json:"url"`
}

// Identity is one of the user's linked upstream accounts (the SDK's
// IdentityDto). Type is "openid" for OpenID Connect and OAuth 2.0
// providers, "primary" for directories. AccessToken and RefreshToken are
// the upstream's, shown only to the user themselves (get-identities).
type Identity struct {
	IdentityID    string         `json:"identityId"`
	ExtIdpID      string         `json:"extIdpId"`
	Provider      string         `json:"provider"`
	Type          string         `json:"type"`
	UserIDInIdp   string         `json:"userIdInIdp"`
	UserInfoInIdp map[string]any `json:"userInfoInIdp"`
	AccessToken   string         `json:"accessToken,omitempty"`
	RefreshToken  string         `json:"refreshToken,omitempty"`
	OriginConnIDs []string       `json:"originConnIds"`
}

// NewIdentity is the IdentityDto of a linked upstream account: provider
// is its ExtIdp's type, web whether that is signed in to through the
// browser (type "openid"; else "primary"), connID the connection it last
// signed in through ("" none), info what the provider said of the user
// (nil: none). The upstream tokens are the caller's to add.
func NewIdentity(id, extIdpID, provider string, web bool, connID, subject string, info map[string]any) Identity {
	typ := "primary"
	if web {
		typ = "openid"
	}
	conns := []string{}
	if connID != "" {
		conns = append(conns, connID)
	}
	if info == nil {
		info = map[string]any{}
	}
	return Identity{IdentityID: id, ExtIdpID: extIdpID, Provider: provider, Type: typ, UserIDInIdp: subject,
		UserInfoInIdp: info, OriginConnIDs: conns}
}
