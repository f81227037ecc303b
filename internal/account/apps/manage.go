package apps

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// Limits on the descriptive settings.
const (
	maxIdentifierLen  = 64
	maxDescriptionLen = 1024
)

var appTypes = []string{model.AppTypeWeb, model.AppTypeSPA, model.AppTypeNative, model.AppTypeAPI}

// describe validates p's descriptive settings and sets them on app.
func describe(app *model.Application, p CreateParams) error {
	app.AppIdentifier = strings.TrimSpace(p.AppIdentifier)
	app.Logo = strings.TrimSpace(p.Logo)
	app.Description = strings.TrimSpace(p.Description)
	app.AppType = orDefault(strings.ToLower(strings.TrimSpace(p.AppType)), model.AppTypeWeb)
	app.DefaultProtocol = orDefault(strings.ToLower(strings.TrimSpace(p.DefaultProtocol)), model.ProtocolOIDC)
	app.InitLoginURI = strings.TrimSpace(p.InitLoginURI)
	app.SSOEnabled = p.SSOEnabled
	app.RegistrationClosed, app.RegistrationEmailVerify = p.RegistrationClosed, p.RegistrationEmailVerify
	switch app.MFAPolicy = orDefault(strings.ToLower(strings.TrimSpace(p.MFAPolicy)), model.MFAOff); app.MFAPolicy {
	case model.MFAOff, model.MFAOptional, model.MFARequired:
	default:
		return invalid("the MFA policy must be off, optional or required")
	}
	if len(app.AppIdentifier) > maxIdentifierLen {
		return invalid("the application identifier is longer than %d characters", maxIdentifierLen)
	}
	for _, r := range app.AppIdentifier {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return invalid("the application identifier may contain only letters, digits, '-', '_' and '.'")
		}
	}
	if len(app.Description) > maxDescriptionLen || !utf8.ValidString(app.Description) {
		return invalid("the description must be valid text of at most %d bytes", maxDescriptionLen)
	}
	if !slices.Contains(appTypes, app.AppType) {
		return invalid("unknown application type %q (want web, spa, native or api)", app.AppType)
	}
	if app.DefaultProtocol != model.ProtocolOAuth && app.DefaultProtocol != model.ProtocolOIDC {
		return invalid("unknown protocol %q (want oidc or oauth)", app.DefaultProtocol)
	}
	for _, u := range []struct{ name, v string }{{"logo", app.Logo}, {"login initiation URL", app.InitLoginURI}} {
		if u.v == "" {
			continue
		}
		parsed, err := url.Parse(u.v)
		if err != nil || len(u.v) > 2048 || (parsed.Scheme != "https" && parsed.Scheme != "http") || parsed.Host == "" {
			return invalid("the %s must be an http or https URL", u.name)
		}
	}
	return nil
}

// paramsOf returns the settings app was made from, for an update to change.
func paramsOf(app *model.Application) CreateParams {
	return CreateParams{
		Name:                    app.Name,
		RedirectURIs:            app.RedirectURIs,
		LogoutRedirectURIs:      app.LogoutRedirectURIs,
		TokenAuthMethod:         app.TokenAuthMethod,
		IntrospectionAuthMethod: app.IntrospectionAuthMethod,
		RevocationAuthMethod:    app.RevocationAuthMethod,
		GrantTypes:              app.GrantTypes,
		AccessTokenTTL:          app.AccessTokenTTL,
		RefreshTokenTTL:         app.RefreshTokenTTL,
		IDTokenTTL:              app.IDTokenTTL,
		IDTokenAlg:              app.IDTokenAlg,
		RequireConsent:          app.RequireConsent,
		ClassicRefreshTokens:    !app.RotateRefreshTokens,
		RefreshGracePeriod:      app.RefreshGracePeriod,
		RefreshIdleTTL:          app.RefreshIdleTTL,
		RejectPKCEPlain:         app.RejectPKCEPlain,
		AllowedScopes:           app.AllowedScopes,
		ClaimsFormat:            app.ClaimsFormat,
		AccessTokenFormat:       app.AccessTokenFormat,
		WebOrigins:              app.WebOrigins,
		AppIdentifier:           app.AppIdentifier,
		Logo:                    app.Logo,
		Description:             app.Description,
		AppType:                 app.AppType,
		DefaultProtocol:         app.DefaultProtocol,
		InitLoginURI:            app.InitLoginURI,
		SSOEnabled:              app.SSOEnabled,
		RegistrationClosed:      app.RegistrationClosed,
		RegistrationEmailVerify: app.RegistrationEmailVerify,
		MFAPolicy:               app.MFAPolicy,
	}
}

// Get returns the application with this id.
func (s *Service) Get(ctx context.Context, id string) (*model.Application, error) {
	return s.Store.GetApplication(ctx, id)
}

// Update changes an application: change edits a copy of its current
// settings, which are then validated as a new application's would be.
// Nothing is stored unless change and the validation both succeed; an error
// of change is returned as it is.
func (s *Service) Update(ctx context.Context, id string, change func(*CreateParams) error) (*model.Application, error) {
	old, err := s.Store.GetApplication(ctx, id)
	if err != nil {
		return nil, err
	}
	p := paramsOf(old)
	if err := change(&p); err != nil {
		return nil, err
	}
	app, err := newApplication(p)
	if err != nil {
		return nil, err
	}
	app.ID, app.SecretHash, app.CreatedAt = old.ID, old.SecretHash, old.CreatedAt
	if app.Public() {
		app.SecretHash = "" // a public client has no secret; RotateSecret makes one if it stops being public
	}
	app.UpdatedAt = s.Now().UTC()
	if err := s.Store.UpdateApplication(ctx, app); err != nil {
		return nil, err
	}
	return app, nil
}

// Delete removes the application with its codes, tokens and consents.
func (s *Service) Delete(ctx context.Context, id string) error {
	return s.Store.DeleteApplication(ctx, id)
}

// RotateSecret gives the application a new secret, returned once; the old
// one stops working at once. A public application is refused: it has no
// secret and must not get one.
func (s *Service) RotateSecret(ctx context.Context, id string) (string, error) {
	app, err := s.Store.GetApplication(ctx, id)
	if err != nil {
		return "", err
	}
	if app.Public() {
		return "", invalid("the application is public (every auth method is none) and has no secret; " +
			"set a client_secret_post or client_secret_basic auth method first")
	}
	secret := s.Tokens.Secret()
	app.SecretHash = token.Hash(secret)
	app.UpdatedAt = s.Now().UTC()
	if err := s.Store.UpdateApplication(ctx, app); err != nil {
		return "", err
	}
	return secret, nil
}

// List returns every application, oldest first.
func (s *Service) List(ctx context.Context) ([]*model.Application, error) {
	return s.Store.ListApplications(ctx)
}

// Search returns a page of the applications whose name, identifier or id
// contains keywords (any case), oldest first, and how many match. An
// installation holds few applications, so this filters in memory.
func (s *Service) Search(ctx context.Context, keywords string, offset, limit int) ([]*model.Application, int, error) {
	all, err := s.Store.ListApplications(ctx)
	if err != nil {
		return nil, 0, err
	}
	kw := strings.ToLower(strings.TrimSpace(keywords))
	var match []*model.Application
	for _, a := range all {
		if kw == "" || strings.Contains(strings.ToLower(a.Name), kw) ||
			strings.Contains(strings.ToLower(a.AppIdentifier), kw) || strings.Contains(a.ID, kw) {
			match = append(match, a)
		}
	}
	total := len(match)
	if offset >= total {
		return nil, total, nil
	}
	return match[offset:min(total, offset+limit)], total, nil
}

// SignOut ends everything the application holds: every token is revoked and
// every open code deleted. It returns how many tokens were revoked.
func (s *Service) SignOut(ctx context.Context, id string) (int, error) {
	if _, err := s.Store.GetApplication(ctx, id); err != nil {
		return 0, err
	}
	return s.Store.SignOutClient(ctx, id, s.Now().UTC())
}
