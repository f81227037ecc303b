package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
)

const applicationColumns = `id, name, secret_hash, redirect_uris, logout_redirect_uris,
	token_auth_method, introspection_auth_method, revocation_auth_method, grant_types,
	access_token_ttl, refresh_token_ttl, id_token_ttl, id_token_alg, require_consent,
	created_at, updated_at,
	app_identifier, logo, description, app_type, default_protocol, init_login_uri, sso_enabled,
	rotate_refresh_tokens, refresh_grace_period, refresh_idle_ttl, reject_pkce_plain,
	allowed_scopes, claims_format, web_origins`

// applicationValues are app's column values in applicationColumns order.
func applicationValues(app *model.Application) []any {
	return []any{app.ID, app.Name, app.SecretHash, list(app.RedirectURIs), list(app.LogoutRedirectURIs),
		app.TokenAuthMethod, app.IntrospectionAuthMethod, app.RevocationAuthMethod, list(app.GrantTypes),
		int64(app.AccessTokenTTL), int64(app.RefreshTokenTTL), int64(app.IDTokenTTL), app.IDTokenAlg,
		app.RequireConsent, app.CreatedAt, app.UpdatedAt,
		nullIfEmpty(app.AppIdentifier), app.Logo, app.Description, app.AppType, app.DefaultProtocol, app.InitLoginURI,
		app.SSOEnabled, app.RotateRefreshTokens, int64(app.RefreshGracePeriod), int64(app.RefreshIdleTTL), app.RejectPKCEPlain,
		app.AllowedScopes, app.ClaimsFormat, list(app.WebOrigins)}
}

// CreateApplication stores app; a taken id gives genauth.ErrConflict.
func (s *Store) CreateApplication(ctx context.Context, app *model.Application) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO applications (`+applicationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			$23, $24, $25, $26, $27, $28, $29, $30)`, applicationValues(app)...)
	return mapErr("create application", err)
}

// GetApplication returns the application with this id.
func (s *Store) GetApplication(ctx context.Context, id string) (*model.Application, error) {
	app, err := scanApplication(s.pool.QueryRow(ctx, `SELECT `+applicationColumns+` FROM applications WHERE id = $1`, id))
	if err != nil {
		return nil, mapErr("get application", err)
	}
	return app, nil
}

// ListApplications returns every application, oldest first.
func (s *Store) ListApplications(ctx context.Context) ([]*model.Application, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+applicationColumns+` FROM applications ORDER BY created_at, seq`)
	if err != nil {
		return nil, mapErr("list applications", err)
	}
	apps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.Application, error) {
		return scanApplication(r)
	})
	if err != nil {
		return nil, mapErr("list applications", err)
	}
	return apps, nil
}

func scanApplication(r pgx.Row) (*model.Application, error) {
	var (
		app                          model.Application
		accessTTL, refreshTTL, idTTL int64
		grace, idle                  int64
		identifier                   *string
	)
	err := r.Scan(&app.ID, &app.Name, &app.SecretHash, &app.RedirectURIs, &app.LogoutRedirectURIs,
		&app.TokenAuthMethod, &app.IntrospectionAuthMethod, &app.RevocationAuthMethod, &app.GrantTypes,
		&accessTTL, &refreshTTL, &idTTL, &app.IDTokenAlg, &app.RequireConsent, &app.CreatedAt, &app.UpdatedAt,
		&identifier, &app.Logo, &app.Description, &app.AppType, &app.DefaultProtocol, &app.InitLoginURI, &app.SSOEnabled,
		&app.RotateRefreshTokens, &grace, &idle, &app.RejectPKCEPlain,
		&app.AllowedScopes, &app.ClaimsFormat, &app.WebOrigins)
	if err != nil {
		return nil, err
	}
	app.AppIdentifier = fromNull(identifier)
	app.RedirectURIs = fromList(app.RedirectURIs)
	app.LogoutRedirectURIs = fromList(app.LogoutRedirectURIs)
	app.GrantTypes = fromList(app.GrantTypes)
	app.WebOrigins = fromList(app.WebOrigins)
	app.AccessTokenTTL, app.RefreshTokenTTL = time.Duration(accessTTL), time.Duration(refreshTTL)
	app.IDTokenTTL = time.Duration(idTTL)
	app.RefreshGracePeriod, app.RefreshIdleTTL = time.Duration(grace), time.Duration(idle)
	app.CreatedAt, app.UpdatedAt = utc(app.CreatedAt), utc(app.UpdatedAt)
	return &app, nil
}
