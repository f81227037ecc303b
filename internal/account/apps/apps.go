package apps

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// Service creates and authenticates applications.
type Service struct {
	Store  Store
	Tokens *token.Source
	Now    func() time.Time
}

// CreateParams are the settings of a new application; zero values take the defaults.
type CreateParams struct {
	Name                    string
	RedirectURIs            []string
	LogoutRedirectURIs      []string
	TokenAuthMethod         string   // default client_secret_post
	IntrospectionAuthMethod string   // default: the token auth method
	RevocationAuthMethod    string   // default: the token auth method
	GrantTypes              []string // default authorization_code and refresh_token
	AccessTokenTTL          time.Duration
	RefreshTokenTTL         time.Duration
	IDTokenTTL              time.Duration
	IDTokenAlg              string // default RS256
	// RequireConsent marks a third-party application whose users approve its scopes.
	RequireConsent bool
	// ClassicRefreshTokens turns refresh token rotation off (it is on by default).
	ClassicRefreshTokens bool
	RefreshGracePeriod   time.Duration // default 5 s with rotation
	RefreshIdleTTL       time.Duration // 0: no idle limit
	RejectPKCEPlain      bool
	// AllowedScopes lists, space-separated, the scopes client_credentials
	// may ask for ("*": any); default none.
	AllowedScopes string
	ClaimsFormat  string // default standard
	// AccessTokenFormat is opaque or jwt; default by DefaultProtocol, as
	// GenAuth does: oauth opaque, oidc jwt.
	AccessTokenFormat string
	WebOrigins        []string // default: the origins of RedirectURIs
	// Descriptive settings of the management API.
	AppIdentifier   string // unique when set
	Logo            string
	Description     string
	AppType         string // default web
	DefaultProtocol string // default oidc
	InitLoginURI    string
	SSOEnabled      bool
	// RegistrationClosed refuses sign-up through the application.
	RegistrationClosed bool
	// MFAPolicy is model.MFAOff (the default), MFAOptional or MFARequired.
	MFAPolicy string
	// RegistrationEmailVerify requires a new user's email to be proven first.
	RegistrationEmailVerify bool
}

const maxNameLen = 128

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", model.ErrInvalidInput, fmt.Sprintf(format, args...))
}

// Create validates p, stores the application and returns it with its secret,
// which is shown once and stored only as a hash. A public application
// (every auth method none) gets no secret: the secret is "".
func (s *Service) Create(ctx context.Context, p CreateParams) (*model.Application, string, error) {
	app, err := newApplication(p)
	if err != nil {
		return nil, "", err
	}
	var secret string
	if !app.Public() {
		secret = s.Tokens.Secret()
		app.SecretHash = token.Hash(secret)
	}
	now := s.Now().UTC()
	app.ID = s.Tokens.ID()
	app.CreatedAt, app.UpdatedAt = now, now
	if err := s.Store.CreateApplication(ctx, app); err != nil {
		return nil, "", err
	}
	return app, secret, nil
}

func newApplication(p CreateParams) (*model.Application, error) {
	name := strings.TrimSpace(p.Name)
	if name == "" {
		return nil, invalid("the application needs a name")
	}
	if len(name) > maxNameLen {
		return nil, invalid("the application name is longer than %d characters", maxNameLen)
	}
	for _, u := range p.RedirectURIs {
		if err := ValidateRedirectURI(u); err != nil {
			return nil, invalid("login callback %q: %v", u, err)
		}
	}
	for _, u := range p.LogoutRedirectURIs {
		if err := ValidateRedirectURI(u); err != nil {
			return nil, invalid("logout callback %q: %v", u, err)
		}
	}
	tokenAuth := orDefault(p.TokenAuthMethod, model.AuthClientSecretPost)
	app := &model.Application{
		Name:                    name,
		RedirectURIs:            dedupe(p.RedirectURIs),
		LogoutRedirectURIs:      dedupe(p.LogoutRedirectURIs),
		TokenAuthMethod:         tokenAuth,
		IntrospectionAuthMethod: orDefault(p.IntrospectionAuthMethod, tokenAuth),
		RevocationAuthMethod:    orDefault(p.RevocationAuthMethod, tokenAuth),
		GrantTypes:              dedupe(p.GrantTypes),
		AccessTokenTTL:          p.AccessTokenTTL,
		RefreshTokenTTL:         p.RefreshTokenTTL,
		IDTokenTTL:              p.IDTokenTTL,
		IDTokenAlg:              orDefault(p.IDTokenAlg, model.SigningRS256),
		RequireConsent:          p.RequireConsent,
		RotateRefreshTokens:     !p.ClassicRefreshTokens,
		RefreshGracePeriod:      p.RefreshGracePeriod,
		RefreshIdleTTL:          p.RefreshIdleTTL,
		RejectPKCEPlain:         p.RejectPKCEPlain,
	}
	if app.RotateRefreshTokens && app.RefreshGracePeriod == 0 {
		app.RefreshGracePeriod = model.DefaultRefreshGracePeriod
	}
	if app.RefreshGracePeriod < 0 || app.RefreshGracePeriod > 5*time.Minute {
		return nil, invalid("the refresh grace period must be between 0 and 5 minutes")
	}
	if app.RefreshIdleTTL < 0 {
		return nil, invalid("the refresh idle lifetime must not be negative")
	}
	if err := describe(app, p); err != nil {
		return nil, err
	}
	if err := protocolSettings(app, p); err != nil {
		return nil, err
	}
	if app.IDTokenAlg != model.SigningRS256 && app.IDTokenAlg != model.SigningES256 {
		return nil, invalid("unknown id token signing algorithm %q (want RS256 or ES256)", app.IDTokenAlg)
	}
	for _, m := range []string{app.TokenAuthMethod, app.IntrospectionAuthMethod, app.RevocationAuthMethod} {
		if !ValidAuthMethod(m) {
			return nil, invalid("unknown client auth method %q (want client_secret_post, client_secret_basic or none)", m)
		}
	}
	if len(app.GrantTypes) == 0 {
		app.GrantTypes = []string{model.GrantAuthorizationCode, model.GrantRefreshToken}
	}
	for _, g := range app.GrantTypes {
		if !slices.Contains(allGrants, g) {
			return nil, invalid("unknown grant type %q (want one of %s)", g, strings.Join(allGrants, ", "))
		}
	}
	if (app.AllowsGrant(model.GrantAuthorizationCode) || app.AllowsGrant(model.GrantImplicit)) && len(app.RedirectURIs) == 0 {
		return nil, invalid("the authorization code and implicit grants need at least one login callback URL")
	}
	if app.AllowsGrant(model.GrantClientCredentials) && app.TokenAuthMethod == model.AuthNone {
		return nil, invalid("client_credentials needs a confidential client (token auth method other than none)")
	}
	if app.AccessTokenTTL == 0 {
		app.AccessTokenTTL = model.DefaultAccessTokenTTL
	}
	if app.RefreshTokenTTL == 0 {
		app.RefreshTokenTTL = model.DefaultRefreshTokenTTL
	}
	if app.IDTokenTTL == 0 {
		app.IDTokenTTL = model.DefaultIDTokenTTL
	}
	if app.AccessTokenTTL < time.Second || app.RefreshTokenTTL < time.Second || app.IDTokenTTL < time.Second {
		return nil, invalid("token lifetimes must be at least one second")
	}
	return app, nil
}

var allGrants = []string{
	model.GrantAuthorizationCode, model.GrantImplicit, model.GrantRefreshToken, model.GrantClientCredentials,
}

// ValidAuthMethod reports whether m is a client auth method GenAuth supports.
func ValidAuthMethod(m string) bool {
	switch m {
	case model.AuthClientSecretPost, model.AuthClientSecretBasic, model.AuthNone:
		return true
	}
	return false
}

// ValidateRedirectURI checks that u can be a login or logout callback: an
// absolute URL without a fragment (RFC 6749 section 3.1.2). Custom schemes are
// allowed for native apps.
func ValidateRedirectURI(u string) error {
	if len(u) > 2048 {
		return fmt.Errorf("longer than 2048 characters")
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("not a URL")
	}
	if !parsed.IsAbs() {
		return fmt.Errorf("not an absolute URL")
	}
	if parsed.Fragment != "" || strings.Contains(u, "#") {
		return fmt.Errorf("must not contain a fragment")
	}
	if (parsed.Scheme == "http" || parsed.Scheme == "https") && parsed.Host == "" {
		return fmt.Errorf("has no host")
	}
	if strings.EqualFold(parsed.Scheme, "javascript") || strings.EqualFold(parsed.Scheme, "data") {
		return fmt.Errorf("scheme %q is not allowed", parsed.Scheme)
	}
	return nil
}

// CheckSecret reports whether secret is app's secret, in constant time.
func CheckSecret(app *model.Application, secret string) bool {
	return app.SecretHash != "" && token.Equal(token.Hash(secret), app.SecretHash)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func dedupe(in []string) []string {
	var out []string
	for _, v := range in {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
