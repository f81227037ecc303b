package model

import (
	"errors"
	"time"
)

// Kinds of upstream identity provider GenAuth signs users in with (issue
// 17). They are GenAuth's ExtIdp and connection types.
const (
	IdPOIDC   = "oidc"
	IdPOAuth2 = "oauth2"
	IdPLDAP   = "ldap"
	IdPAD     = "ad"
)

// IdPWeb says whether typ is a kind signed in to through the browser
// (OpenID Connect, OAuth 2.0) rather than with a directory password.
func IdPWeb(typ string) bool { return typ == IdPOIDC || typ == IdPOAuth2 }

// ExtIdp is an upstream identity provider: what a user's linked identity
// belongs to (GenAuth's "extIdp"). Its connections say how to reach it.
type ExtIdp struct {
	ID        string
	Name      string
	Type      string // IdPOIDC, IdPOAuth2, IdPLDAP or IdPAD
	Logo      string // a URL; "" none
	CreatedAt time.Time
}

// ExtIdpConn is a configured way to sign in at an ExtIdp; applications
// enable connections one by one.
type ExtIdpConn struct {
	ID       string
	ExtIdpID string
	Type     string // the ExtIdp's
	// Identifier names the connection in URLs (its callback) and in the
	// authentication API; unique, [a-z0-9-].
	Identifier  string
	DisplayName string
	Logo        string
	// LoginOnly: the connection signs existing identities in but creates
	// no account.
	LoginOnly bool
	Fields    ConnFields
	// SealedSecret is the OAuth client secret or the LDAP bind password,
	// sealed under the server key; nil: none.
	SealedSecret []byte
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ConnFields are a connection's settings apart from its secret, kept as
// JSON under these names (also the management API's "fields").
type ConnFields struct {
	// OpenID Connect: the issuer, whose discovery document gives the rest.
	Issuer string `json:"issuer,omitempty"`
	// OIDC and OAuth 2.0.
	ClientID string   `json:"clientId,omitempty"`
	Scopes   []string `json:"scopes,omitempty"`
	// OAuth 2.0 without discovery.
	AuthorizationURL string `json:"authorizationUrl,omitempty"`
	TokenURL         string `json:"tokenUrl,omitempty"`
	UserInfoURL      string `json:"userInfoUrl,omitempty"`
	// Preset names the data file a provider's defaults came from
	// ("github", "google"); "" none.
	Preset string `json:"preset,omitempty"`

	// LDAP and Active Directory.
	URL        string `json:"url,omitempty"` // ldap://host:port or ldaps://host:port
	BindDN     string `json:"bindDn,omitempty"`
	BaseDN     string `json:"baseDn,omitempty"`
	UserFilter string `json:"userFilter,omitempty"` // with one %s for the escaped login
	StartTLS   bool   `json:"startTls,omitempty"`
	// CACert is PEM certificates to trust for LDAPS and StartTLS; "" the
	// system's.
	CACert string `json:"caCert,omitempty"`
	// TimeoutSeconds bounds each directory operation; 0: the default.
	TimeoutSeconds int `json:"timeoutSeconds,omitempty"`

	// Mapping names the upstream claim or attribute each profile field is
	// read from (ProfileField* keys); missing keys take the kind's default.
	Mapping map[string]string `json:"mapping,omitempty"`
	// TrustEmail: an upstream email without an email_verified claim (a
	// directory's mail attribute) counts as verified.
	TrustEmail bool `json:"trustEmail,omitempty"`
}

// Profile fields a connection's Mapping can name.
const (
	ProfileSubject       = "sub"
	ProfileEmail         = "email"
	ProfileEmailVerified = "email_verified"
	ProfilePhone         = "phone"
	ProfileName          = "name"
	ProfileUsername      = "username"
	ProfilePicture       = "picture"
)

// UpstreamProfile is who an upstream provider says signed in, mapped by
// the connection's Mapping.
type UpstreamProfile struct {
	Subject       string // stable id at the provider; never empty
	Email         string
	EmailVerified bool
	Phone         string
	Name          string
	Username      string
	Picture       string
	// Raw is what the provider returned (claims, userinfo or attributes),
	// shown as the identity's userInfoInIdp.
	Raw map[string]any
}

// Identity links a user to an account at an upstream provider; a user has
// at most one per ExtIdp, and an upstream account links to one user.
type Identity struct {
	ID       string
	UserID   string
	ExtIdpID string
	ConnID   string // the connection it was last signed in through
	Provider string // the ExtIdp's type
	Subject  string // userIdInIdp
	Profile  map[string]any
	// SealedTokens holds the upstream's access and refresh tokens, sealed;
	// nil when none were kept.
	SealedTokens []byte
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Audit event types of upstream sign-ins; Detail names the connection
// (its identifier) or, for an unlink, the ExtIdp.
const (
	AuditIdPSignIn = "idp.signin"
	AuditIdPLink   = "idp.link"
	AuditIdPUnlink = "idp.unlink"
	// AuditIdPConfig: an ExtIdp or a connection was created, changed or
	// deleted, a connection enabled or disabled for an application, or an
	// identity unlinked by an administrator; Detail says what and through
	// which surface.
	AuditIdPConfig = "idp.config"
)

// UpstreamTokens are the tokens an OAuth provider gave at sign-in.
type UpstreamTokens struct {
	AccessToken  string    `json:"accessToken,omitempty"`
	RefreshToken string    `json:"refreshToken,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
}

// Upstream failures. A connector wraps them with the detail for the log;
// what a user is shown says only which it was.
var (
	// ErrUpstreamUnavailable: the provider or directory could not be
	// reached or answered out of protocol (network, timeout, TLS, 5xx).
	ErrUpstreamUnavailable = errors.New("the identity provider is unavailable")
	// ErrUpstreamRefused: the provider refused the sign-in (the user
	// declined, an error answer, a token that does not verify, a state
	// or nonce that does not match).
	ErrUpstreamRefused = errors.New("the identity provider refused the sign-in")
)
