package sqlstore

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const applicationColumns = `id, name, secret_hash, redirect_uris, logout_redirect_uris,
	token_auth_method, introspection_auth_method, revocation_auth_method, grant_types,
	access_token_ttl, refresh_token_ttl, id_token_ttl, id_token_alg, require_consent,
	created_at, updated_at,
	app_identifier, logo, description, app_type, default_protocol, init_login_uri, sso_enabled,
	rotate_refresh_tokens, refresh_grace_period, refresh_idle_ttl, reject_pkce_plain,
	allowed_scopes, claims_format, web_origins, access_token_format, registration_closed, registration_email_verify,
	mfa_policy`

// applicationValues are app's column values in applicationColumns order.
// Durations are int64 nanoseconds on both engines.
func (s *Store) applicationValues(app *model.Application) []any {
	return []any{app.ID, app.Name, app.SecretHash, s.e.List(app.RedirectURIs), s.e.List(app.LogoutRedirectURIs),
		app.TokenAuthMethod, app.IntrospectionAuthMethod, app.RevocationAuthMethod, s.e.List(app.GrantTypes),
		int64(app.AccessTokenTTL), int64(app.RefreshTokenTTL), int64(app.IDTokenTTL), app.IDTokenAlg,
		app.RequireConsent, s.tv(app.CreatedAt), s.tv(app.UpdatedAt),
		nullIfEmpty(app.AppIdentifier), app.Logo, app.Description, app.AppType, app.DefaultProtocol, app.InitLoginURI,
		app.SSOEnabled, app.RotateRefreshTokens, int64(app.RefreshGracePeriod), int64(app.RefreshIdleTTL),
		app.RejectPKCEPlain, app.AllowedScopes, app.ClaimsFormat, s.e.List(app.WebOrigins), app.AccessTokenFormat,
		app.RegistrationClosed, app.RegistrationEmailVerify, app.MFAPolicy}
}

// CreateApplication stores app; a taken id gives genauth.ErrConflict.
func (s *Store) CreateApplication(ctx context.Context, app *model.Application) error {
	_, err := s.e.Writer().Exec(ctx, `INSERT INTO applications (`+applicationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			$23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)`, s.applicationValues(app)...)
	return s.e.Err("create application", err)
}

// GetApplication returns the application with this id.
func (s *Store) GetApplication(ctx context.Context, id string) (*model.Application, error) {
	app, err := s.scanApplication(s.e.Reader().QueryRow(ctx, `SELECT `+applicationColumns+` FROM applications
		WHERE id = $1`, id))
	if err != nil {
		return nil, s.e.Err("get application", err)
	}
	return app, nil
}

// ListApplications returns every application, oldest first; applications
// created at the same instant come in the order they were stored.
func (s *Store) ListApplications(ctx context.Context) ([]*model.Application, error) {
	apps, err := collect(ctx, s.e.Reader(), s.scanApplication, `SELECT `+applicationColumns+` FROM applications
		ORDER BY created_at, `+s.e.InsertOrder())
	if err != nil {
		return nil, s.e.Err("list applications", err)
	}
	return apps, nil
}

// UpdateApplication replaces the stored application app.ID, keeping its CreatedAt.
func (s *Store) UpdateApplication(ctx context.Context, app *model.Application) error {
	v := s.applicationValues(app)
	// applicationValues: id first, created_at at index 14.
	set := append(v[1:14:14], v[15:]...)
	n, err := s.e.Writer().Exec(ctx, `UPDATE applications SET name = $1, secret_hash = $2, redirect_uris = $3,
		logout_redirect_uris = $4, token_auth_method = $5, introspection_auth_method = $6,
		revocation_auth_method = $7, grant_types = $8, access_token_ttl = $9, refresh_token_ttl = $10,
		id_token_ttl = $11, id_token_alg = $12, require_consent = $13, updated_at = $14, app_identifier = $15,
		logo = $16, description = $17, app_type = $18, default_protocol = $19, init_login_uri = $20,
		sso_enabled = $21, rotate_refresh_tokens = $22, refresh_grace_period = $23, refresh_idle_ttl = $24,
		reject_pkce_plain = $25, allowed_scopes = $26, claims_format = $27, web_origins = $28,
		access_token_format = $29, registration_closed = $30, registration_email_verify = $31, mfa_policy = $32
		WHERE id = $33`, append(set, app.ID)...)
	return s.e.Err("update application", changedRow(n, err))
}

// DeleteApplication deletes the application with its codes, tokens,
// consents and enabled connections.
func (s *Store) DeleteApplication(ctx context.Context, id string) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		n, err := c.Exec(ctx, `DELETE FROM applications WHERE id = $1`, id)
		if err := changedRow(n, err); err != nil {
			return err
		}
		for _, table := range []string{"auth_codes", "tokens", "consents"} {
			if _, err := c.Exec(ctx, `DELETE FROM `+table+` WHERE client_id = $1`, id); err != nil {
				return err
			}
		}
		_, err = c.Exec(ctx, `DELETE FROM app_ext_idp_conns WHERE app_id = $1`, id)
		return err
	})
	return s.e.Err("delete application", err)
}

func (s *Store) scanApplication(r Row) (*model.Application, error) {
	var (
		app                          model.Application
		accessTTL, refreshTTL, idTTL int64
		grace, idle                  int64
	)
	err := r.Scan(&app.ID, &app.Name, &app.SecretHash, s.e.ListDest(&app.RedirectURIs),
		s.e.ListDest(&app.LogoutRedirectURIs), &app.TokenAuthMethod, &app.IntrospectionAuthMethod,
		&app.RevocationAuthMethod, s.e.ListDest(&app.GrantTypes), &accessTTL, &refreshTTL, &idTTL, &app.IDTokenAlg,
		&app.RequireConsent, td(&app.CreatedAt), td(&app.UpdatedAt), nd(&app.AppIdentifier), &app.Logo,
		&app.Description, &app.AppType, &app.DefaultProtocol, &app.InitLoginURI, &app.SSOEnabled,
		&app.RotateRefreshTokens, &grace, &idle, &app.RejectPKCEPlain, &app.AllowedScopes, &app.ClaimsFormat,
		s.e.ListDest(&app.WebOrigins), &app.AccessTokenFormat, &app.RegistrationClosed, &app.RegistrationEmailVerify,
		&app.MFAPolicy)
	if err != nil {
		return nil, err
	}
	app.RedirectURIs = nilIfEmpty(app.RedirectURIs)
	app.LogoutRedirectURIs = nilIfEmpty(app.LogoutRedirectURIs)
	app.GrantTypes = nilIfEmpty(app.GrantTypes)
	app.WebOrigins = nilIfEmpty(app.WebOrigins)
	app.AccessTokenTTL, app.RefreshTokenTTL = time.Duration(accessTTL), time.Duration(refreshTTL)
	app.IDTokenTTL = time.Duration(idTTL)
	app.RefreshGracePeriod, app.RefreshIdleTTL = time.Duration(grace), time.Duration(idle)
	return &app, nil
}

// changedRow turns "no row changed" into model.ErrNotFound.
func changedRow(n int64, err error) error {
	if err != nil {
		return err
	}
	if n == 0 {
		return model.ErrNotFound
	}
	return nil
}
