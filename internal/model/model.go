package model

import (
	"errors"
	"time"
)

// Sentinel errors returned by storage and services. Callers match them with
// errors.Is and map them to protocol or HTTP errors at the edge.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique value (username, email, phone, app id) is taken.
	ErrConflict = errors.New("already exists")
	// ErrCodeRedeemed means an authorization code was presented a second time.
	ErrCodeRedeemed = errors.New("authorization code already redeemed")
	// ErrInactive means a token or session is expired or revoked.
	ErrInactive = errors.New("expired or revoked")
	// ErrTokenReused means a rotated refresh token was presented again after
	// its grace period: its whole grant has been revoked.
	ErrTokenReused = errors.New("refresh token reused")
	// ErrInvalidInput wraps every validation failure; its message is safe to show.
	ErrInvalidInput = errors.New("invalid input")
	// ErrBadCredentials means an unknown login or a wrong password (deliberately not which).
	ErrBadCredentials = errors.New("wrong username or password")
	// ErrSuspended means a correct password for an account that may not sign in
	// (status Suspended or Deactivated).
	ErrSuspended = errors.New("the account is suspended")
	// ErrUnavailable means the database cannot serve for now: unreachable,
	// read-only, out of space, or locked past its busy timeout. A temporary
	// condition, answered 503 with Retry-After.
	ErrUnavailable = errors.New("database unavailable")
	// ErrBusy means the server is at its limit of concurrent password
	// hashing and its queue is full; answered 503 with Retry-After.
	ErrBusy = errors.New("server busy")
	// ErrWrongCode means a verification code that is wrong, used, replaced,
	// past its tries, or was never sent (deliberately not which).
	ErrWrongCode = errors.New("wrong or used verification code")
	// ErrCodeExpired means the right verification code, presented after its life.
	ErrCodeExpired = errors.New("verification code expired")
)

// Client authentication methods for the token, introspection and revocation endpoints.
const (
	AuthClientSecretPost  = "client_secret_post"
	AuthClientSecretBasic = "client_secret_basic"
	AuthNone              = "none"
)

// Grant types an application may enable.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantImplicit          = "implicit"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// Protocols an authorization or token belongs to; they decide the issuer (`<public-url>/oauth` or `/oidc`).
const (
	ProtocolOAuth = "oauth"
	ProtocolOIDC  = "oidc"
)

// Default token lifetimes of a new application.
const (
	DefaultAccessTokenTTL  = 1_209_600 * time.Second
	DefaultRefreshTokenTTL = 2_592_000 * time.Second
	// AuthCodeTTL is the lifetime of an authorization code (RFC 6749 recommends at most 10 minutes).
	AuthCodeTTL = 10 * time.Minute
	// DefaultIDTokenTTL is the lifetime of an id token.
	DefaultIDTokenTTL = time.Hour
	// DefaultRefreshGracePeriod lets a client that retried a refresh (its
	// first answer lost) present the old refresh token again.
	DefaultRefreshGracePeriod = 5 * time.Second
)

// Id token signing algorithms. There is deliberately no "none" and no HMAC.
const (
	SigningRS256 = "RS256"
	SigningES256 = "ES256"
)

// Application is an OAuth client. Its secret is kept only as a SHA-256 hash.
type Application struct {
	ID                 string // app_id, also the OAuth client_id
	Name               string
	SecretHash         string // hex SHA-256 of app_secret
	RedirectURIs       []string
	LogoutRedirectURIs []string
	// Client authentication method per endpoint.
	TokenAuthMethod         string
	IntrospectionAuthMethod string
	RevocationAuthMethod    string
	GrantTypes              []string
	AccessTokenTTL          time.Duration
	RefreshTokenTTL         time.Duration
	IDTokenTTL              time.Duration
	// IDTokenAlg signs this application's id tokens: SigningRS256 or SigningES256.
	IDTokenAlg string
	// RequireConsent marks a third-party application: users approve the scopes
	// it asks for. First-party applications skip the consent page.
	RequireConsent bool
	// RotateRefreshTokens makes every refresh return a new refresh token and
	// retire the old one (RFC 9700 section 4.14.2); presenting a retired one
	// after RefreshGracePeriod revokes its whole grant. Off is the classic
	// GenAuth behaviour: one refresh token for the grant's lifetime.
	RotateRefreshTokens bool
	RefreshGracePeriod  time.Duration
	// RefreshIdleTTL, when set, ends a refresh token unused for this long;
	// RefreshTokenTTL stays the absolute limit from the grant.
	RefreshIdleTTL time.Duration
	// RejectPKCEPlain refuses code_challenge_method=plain.
	RejectPKCEPlain bool
	// AllowedScopes is the space-separated list of scopes the
	// client_credentials grant may ask for; AnyScope allows any.
	AllowedScopes string
	// ClaimsFormat shapes the user claims of /oidc userinfo and id tokens:
	// ClaimsStandard or ClaimsGenAuth.
	ClaimsFormat string
	// AccessTokenFormat is what access tokens look like: AccessTokenOpaque
	// or AccessTokenJWT. Either is recorded by its hash and ends at once
	// when revoked; only a JWT can also be checked offline.
	AccessTokenFormat string
	// WebOrigins may read the token, introspection, revocation and
	// userinfo answers from a browser (CORS); none listed: the origins of
	// RedirectURIs.
	WebOrigins []string
	CreatedAt  time.Time
	UpdatedAt  time.Time

	// Descriptive settings of the management API.
	AppIdentifier   string // unique when set
	Logo            string
	Description     string
	AppType         string // AppTypeWeb, AppTypeSPA, AppTypeNative or AppTypeAPI
	DefaultProtocol string // ProtocolOAuth or ProtocolOIDC
	InitLoginURI    string
	SSOEnabled      bool

	// RegistrationClosed refuses sign-up through this application (hosted
	// page and authentication API).
	RegistrationClosed bool
	// RegistrationEmailVerify requires a new user's email address to be
	// proven (by a code) before the account is made.
	RegistrationEmailVerify bool
	// MFAPolicy is "off", "optional" or "required" (internal/account/mfa):
	// whether signing in here asks a user without a second factor to
	// enroll one. The user pool's policy applies when it is stricter.
	MFAPolicy string
}

// Application types of the management API.
const (
	AppTypeWeb    = "web"
	AppTypeSPA    = "spa"
	AppTypeNative = "native"
	AppTypeAPI    = "api"
)

// AnyScope in AllowedScopes lets client_credentials ask for any scope, as
// before the setting existed.
const AnyScope = "*"

// Claim formats of OpenID Connect userinfo and id tokens.
const (
	// ClaimsStandard follows OpenID Connect Core: updated_at in seconds,
	// claims without a value left out.
	ClaimsStandard = "standard"
	// ClaimsGenAuth is GenAuth's shape, which its SDKs parse: every
	// released claim present (null when unknown), updated_at an ISO 8601 string.
	ClaimsGenAuth = "genauth"
)

// MFA policies, per application and for the whole user pool. A user's
// enrolled factors are asked for under every policy: the policy only says
// whether a user without one is asked to enroll.
const (
	MFAOff      = "off"      // no one is asked to enroll
	MFAOptional = "optional" // a user without a factor is offered enrollment after signing in
	MFARequired = "required" // a user without a factor enrolls before the sign-in ends
)

// Access token formats.
const (
	// AccessTokenOpaque is 40 random hex characters, checked by introspection.
	AccessTokenOpaque = "opaque"
	// AccessTokenJWT is an RS256 JWT (RFC 9068) that resource servers can
	// also verify offline against the JWKS.
	AccessTokenJWT = "jwt"
)

// SigningNeeds is what the applications ask of the signing keys.
type SigningNeeds struct {
	// ES256 is set while some application signs id tokens with ES256.
	ES256 bool
	// LongestJWT is the longest access token lifetime of the applications
	// that issue JWT access tokens: a retired key stays published that long.
	LongestJWT time.Duration
}

// Public reports whether the application is a public client: every
// endpoint identifies it by client_id alone, so it has no secret.
func (a *Application) Public() bool {
	return a.TokenAuthMethod == AuthNone && a.IntrospectionAuthMethod == AuthNone && a.RevocationAuthMethod == AuthNone
}

// AllowsGrant reports whether the application has grant type g enabled.
func (a *Application) AllowsGrant(g string) bool {
	for _, x := range a.GrantTypes {
		if x == g {
			return true
		}
	}
	return false
}

// Address is the OIDC address claim.
type Address struct {
	Formatted     string `json:"formatted,omitempty"`
	StreetAddress string `json:"street_address,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Country       string `json:"country,omitempty"`
}

// IsZero reports whether no part of the address is known.
func (a Address) IsZero() bool { return a == Address{} }

// Gender values of the userinfo `gender` claim.
const (
	GenderMale    = "M"
	GenderFemale  = "F"
	GenderUnknown = "U"
)

// User is an account in the user pool. Empty strings mean "unknown"; username,
// email and phone are each unique when set. The password is kept only as an
// argon2id hash in PHC string form.
type User struct {
	ID                string // the `sub` claim: opaque, stable, never reused
	Username          string
	Email             string
	EmailVerified     bool
	Phone             string
	PhoneVerified     bool
	PasswordHash      string
	Name              string
	GivenName         string
	FamilyName        string
	MiddleName        string
	Nickname          string
	PreferredUsername string
	Profile           string
	Picture           string
	Website           string
	Gender            string // M, F or U
	Birthdate         string
	Zoneinfo          string
	Locale            string
	Address           Address
	CreatedAt         time.Time
	UpdatedAt         time.Time

	Status     string // UserActivated, UserSuspended or UserDeactivated
	ExternalID string // an id in another system; unique when set
	CustomData map[string]any
	SourceType string // UserSourceAdmin or UserSourceRegister
	// SourceID is the application a self-registered user signed up through; "" otherwise.
	SourceID string
	// Kept up to date by each hosted-page login.
	LoginsCount int
	LastLogin   time.Time // zero: never
	LastIP      string
}

// User statuses. Only an Activated user may sign in or refresh tokens.
const (
	UserActivated   = "Activated"
	UserSuspended   = "Suspended"
	UserDeactivated = "Deactivated"
)

// RoleAdmin is the role of the user pool's administrators, who manage
// GenAuth in the console. The store refuses to revoke the last one.
const RoleAdmin = "admin"

// How a user came to be.
const (
	UserSourceAdmin    = "adminCreated"
	UserSourceRegister = "register"
	// UserSourceExtIdp: created at a first sign-in through an upstream
	// identity provider.
	UserSourceExtIdp = "extIdp"
)

// LoginRecord is one sign-in at the hosted pages.
type LoginRecord struct {
	UserID    string
	AppID     string // the application the login was for; empty when none
	ClientIP  string
	UserAgent string
	Time      time.Time
	// Method is how the user signed in ("passkey"); "" when not told.
	Method string
}

// AccessKey is the user pool's management credential. Its secret is kept
// sealed under the server secret key, not hashed: request signatures are
// HMACs keyed with it.
type AccessKey struct {
	ID           string // the access key id, also the user pool id
	SealedSecret []byte
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// PasswordKey is the RSA key clients encrypt passwords to (the
// authentication API's passwordEncryptType rsa): one per installation,
// dedicated to that use, its private half sealed under the server secret.
type PasswordKey struct {
	PublicDER     []byte // SubjectPublicKeyInfo
	SealedPrivate []byte // PKCS #8, sealed
	CreatedAt     time.Time
}

// Session is a browser session at the hosted pages. The cookie holds a random
// id; only its hash is stored.
type Session struct {
	IDHash     string
	UserID     string
	AuthTime   time.Time // when the user last entered a password
	CreatedAt  time.Time
	ExpiresAt  time.Time // the absolute end
	LastSeenAt time.Time // for the idle limit; recorded at most once a minute
	// AMR says how the user signed in (RFC 8176 values: "pwd", "otp",
	// "mfa", ...); nil for a session from before it was recorded.
	AMR []string
}

// AuthCode is an authorization code, stored by hash, redeemable once.
type AuthCode struct {
	Hash                string
	GrantID             string // shared by every token issued from this code
	ClientID            string
	UserID              string
	RedirectURI         string
	Scope               string
	Protocol            string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	SessionIDHash       string
	AuthTime            time.Time
	AMR                 []string // the session's, for the id token
	ACR                 string   // the id token's acr, chosen at authorization
	CreatedAt           time.Time
	ExpiresAt           time.Time
}

// Token kinds.
const (
	TokenAccess  = "access"
	TokenRefresh = "refresh"
)

// Token is an opaque access or refresh token, stored by hash.
type Token struct {
	Hash      string
	ID        string // public identifier (the introspection `jti`)
	Kind      string // TokenAccess or TokenRefresh
	GrantID   string // the authorization (code, refresh chain or client grant) it belongs to
	ParentID  string // for an access token minted by a refresh: the refresh token's ID
	ClientID  string
	UserID    string // empty for client_credentials
	Scope     string
	Protocol  string
	IssuedAt  time.Time
	ExpiresAt time.Time
	RevokedAt time.Time // zero while not revoked
	// UsedAt is when an access token that a refresh token rotation issued
	// was first presented at userinfo or introspection while a retry of the
	// rotated refresh token could still replace it; zero: not recorded.
	UsedAt time.Time
	// ACR is a refresh token's grant's acr, said again by the id tokens it
	// refreshes; "" for access tokens.
	ACR string
}

// Active reports whether the token is neither expired nor revoked at now.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt.IsZero() && now.Before(t.ExpiresAt)
}

// SigningKey is a key that signs id tokens. The private key is stored only
// encrypted under the server's secret key. A key signs from ActivatesAt until
// a newer key of the same algorithm activates, and stays published in JWKS
// while tokens it signed can still be valid.
type SigningKey struct {
	ID               string // the JWS `kid`
	Alg              string // SigningRS256 or SigningES256
	PublicDER        []byte // PKIX
	EncryptedPrivate []byte // PKCS #8, sealed with AES-256-GCM
	CreatedAt        time.Time
	ActivatesAt      time.Time
}

// Consent records the scopes a user approved for an application.
type Consent struct {
	UserID    string
	ClientID  string
	Scopes    []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Throttle counts failures for one key (an account, a client address) in a
// window, and holds the end of a lockout. Shared by every node.
type Throttle struct {
	Key         string
	Count       int
	WindowStart time.Time
	LockedUntil time.Time // zero: not locked
	// ExpiresAt is when the row may be forgotten: its window and its lock are over.
	ExpiresAt time.Time
}

// Audit event types. Their names and the log fields are stable: operators
// alert on them.
const (
	AuditLoginSuccess   = "login.success"
	AuditLoginFailure   = "login.failure"
	AuditLoginLockout   = "login.lockout"
	AuditRegister       = "user.register"
	AuditTokenIssue     = "token.issue"
	AuditTokenRevoke    = "token.revoke"
	AuditCodeReuse      = "code.reuse"
	AuditRefreshReuse   = "refresh_token.reuse"
	AuditLogoutAll      = "user.logout_all"
	AuditSessionEnd     = "session.end"
	AuditRegisterRefuse = "register.throttled"
	AuditConsentRevoke  = "consent.revoke"
	AuditPasswordChange = "user.password_change"
	AuditProfileUpdate  = "user.profile_update"
	// An email or phone number bound to or unbound from a user's account.
	AuditAddressBind   = "user.address_bind"
	AuditAddressUnbind = "user.address_unbind"
	AuditAddressUpdate = "user.address_update"
	// A user deleted their own account.
	AuditAccountDelete = "user.account_delete"
	// A password reset code was queued to a user's address: by the
	// authentication API, the /forgot page or `genauth user send-reset`
	// (Detail says which), so that an unasked-for reset can be traced.
	AuditResetCodeSend = "user.reset_code_send"
	// Second factors: enrolled, removed, proven, a wrong proof, and all of
	// a user's removed by an administrator (management API or `genauth
	// user mfa reset`; Detail says which).
	AuditMFAEnroll  = "mfa.enroll"
	AuditMFARemove  = "mfa.remove"
	AuditMFAVerify  = "mfa.verify"
	AuditMFAFailure = "mfa.failure"
	AuditMFAReset   = "mfa.reset"
	// The MFA policy of the user pool (ClientID "") or of an application
	// changed; Detail says from what to what and through which surface.
	AuditMFAPolicy = "mfa.policy"
	// The admin console: an administrator signed in or out, a signed-in
	// user who is not one was refused, and every change made there
	// (Detail: what, "by" the administrator's id, and the particulars).
	AuditConsoleSignIn  = "console.signin"
	AuditConsoleSignOut = "console.signout"
	AuditConsoleRefused = "console.refused"
	AuditConsoleChange  = "console.change"
	// A user was made an administrator or stopped being one; Detail names
	// who did it (an administrator's user id, or the CLI) or says
	// "first administrator" for the one-time link's claim.
	AuditAdminGrant  = "admin.grant"
	AuditAdminRevoke = "admin.revoke"
)

// AuditEvent is one security event.
type AuditEvent struct {
	Time     time.Time
	Type     string
	UserID   string
	ClientID string
	IP       string
	Detail   string // the grant type, a login name tried, ...
}

// Kinds of outgoing message.
const (
	MessageEmail = "email"
	MessageSMS   = "sms"
)

// AuditMessageFailed is the event of a message the outbox gave up on.
const AuditMessageFailed = "message.failed"

// Message is what is sent to one recipient: the data a provider renders
// (an email template, an SMS webhook's JSON), never the rendered text.
type Message struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // MessageEmail or MessageSMS
	// To is an email address or a phone number.
	To string `json:"to"`
	// Template names what is said: "verification_code" or "test".
	Template string `json:"template"`
	Lang     string `json:"lang"` // "en" or "zh"
	// Code is a verification code (6 digits), Channel what it is for
	// (GenAuth's channel names, CHANNEL_LOGIN, ...), Lifetime how long it lasts.
	Code      string        `json:"code,omitempty"`
	Channel   string        `json:"channel,omitempty"`
	Lifetime  time.Duration `json:"lifetime,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
}

// Passcode is a verification code sent to an address (contract section 3),
// held under keyed hashes only.
type Passcode struct {
	// Channel is what the code is for (CHANNEL_LOGIN, ...).
	Channel string
	// Destination is the keyed hash of the message kind and the address.
	Destination string
	// Hash is the keyed hash of the code, bound to channel and destination.
	Hash string
	// Tries counts the wrong answers so far.
	Tries     int
	CreatedAt time.Time
	ExpiresAt time.Time
}

// OutboxMessage is a stored message: its content sealed (it holds codes and
// addresses), and where its delivery stands.
type OutboxMessage struct {
	ID     string
	Kind   string
	Sealed []byte
	// Attempts counts the claims so far; it also fences a claim: only the
	// claimant of the latest attempt may record its outcome.
	Attempts      int
	NextAttemptAt time.Time
	CreatedAt     time.Time
	SentAt        time.Time // zero: not sent
	FailedAt      time.Time // zero: not given up
	LastError     string
}

// OutboxBacklog is how many messages wait (Due: their next attempt is due)
// and how many were given up (Failed) and are still kept.
type OutboxBacklog struct{ Waiting, Due, Failed int }

// The kinds of second factor (contract 6.1).
const (
	FactorTOTP     = "OTP"
	FactorSMS      = "SMS"
	FactorEmail    = "EMAIL"
	FactorWebAuthn = "WEBAUTHN"
)

// Factor is a second factor a user enrolled. A user has at most one of each
// kind but passkeys, of which there may be several.
type Factor struct {
	ID     string
	UserID string
	Type   string // FactorTOTP, ...
	// Name tells a user's passkeys apart; Address is where an SMS or EMAIL
	// factor sends its codes.
	Name    string
	Address string
	// CredentialID is a passkey's credential id (base64url), by which a
	// passwordless sign-in finds it; "" for the other kinds.
	CredentialID string
	// Sealed is the factor's secret sealed under the server key: a TOTP
	// secret, a passkey's credential record.
	Sealed []byte
	// Counter is the last TOTP time step accepted (so a code is never
	// accepted twice) or a passkey's signature counter.
	Counter    int64
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
}
