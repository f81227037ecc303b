package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const applicationColumns = `id, name, secret_hash, redirect_uris, logout_redirect_uris,
	token_auth_method, introspection_auth_method, revocation_auth_method, grant_types,
	access_token_ttl, refresh_token_ttl, id_token_ttl, id_token_alg, require_consent,
	created_at, updated_at,
	app_identifier, logo, description, app_type, default_protocol, init_login_uri, sso_enabled,
	rotate_refresh_tokens, refresh_grace_period, refresh_idle_ttl, reject_pkce_plain,
	allowed_scopes, claims_format, web_origins`

// CreateApplication stores app; a taken id gives genauth.ErrConflict.
func (s *Store) CreateApplication(ctx context.Context, app *model.Application) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO applications (`+applicationColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, applicationArgs(app)...)
	return mapErr("create application", err)
}

// applicationArgs are app's column values in applicationColumns order.
func applicationArgs(app *model.Application) []any {
	return []any{app.ID, app.Name, app.SecretHash, jsonList(app.RedirectURIs), jsonList(app.LogoutRedirectURIs),
		app.TokenAuthMethod, app.IntrospectionAuthMethod, app.RevocationAuthMethod, jsonList(app.GrantTypes),
		int64(app.AccessTokenTTL), int64(app.RefreshTokenTTL), int64(app.IDTokenTTL), app.IDTokenAlg, app.RequireConsent,
		toMS(app.CreatedAt), toMS(app.UpdatedAt),
		nullIfEmpty(app.AppIdentifier), app.Logo, app.Description, app.AppType, app.DefaultProtocol, app.InitLoginURI,
		app.SSOEnabled, app.RotateRefreshTokens, int64(app.RefreshGracePeriod), int64(app.RefreshIdleTTL), app.RejectPKCEPlain,
		app.AllowedScopes, app.ClaimsFormat, jsonList(app.WebOrigins)}
}

// GetApplication returns the application with this id.
func (s *Store) GetApplication(ctx context.Context, id string) (*model.Application, error) {
	row := s.readRow(ctx, `SELECT `+applicationColumns+` FROM applications WHERE id = ?`, id)
	app, err := scanApplication(row)
	if err != nil {
		return nil, mapErr("get application", err)
	}
	return app, nil
}

// ListApplications returns every application, oldest first.
func (s *Store) ListApplications(ctx context.Context) ([]*model.Application, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+applicationColumns+` FROM applications ORDER BY created_at, rowid`)
	if err != nil {
		return nil, mapErr("list applications", err)
	}
	defer rows.Close()
	var apps []*model.Application
	for rows.Next() {
		app, err := scanApplication(rows)
		if err != nil {
			return nil, mapErr("list applications", err)
		}
		apps = append(apps, app)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("list applications", err)
	}
	return apps, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanApplication(r scanner) (*model.Application, error) {
	var (
		app                                            model.Application
		redirects, logoutRedirects, grantTypes         string
		accessTTL, refreshTTL, idTTL, created, updated int64
		grace, idle                                    int64
		identifier                                     sql.NullString
		origins                                        string
	)
	err := r.Scan(&app.ID, &app.Name, &app.SecretHash, &redirects, &logoutRedirects,
		&app.TokenAuthMethod, &app.IntrospectionAuthMethod, &app.RevocationAuthMethod, &grantTypes,
		&accessTTL, &refreshTTL, &idTTL, &app.IDTokenAlg, &app.RequireConsent, &created, &updated,
		&identifier, &app.Logo, &app.Description, &app.AppType, &app.DefaultProtocol, &app.InitLoginURI, &app.SSOEnabled,
		&app.RotateRefreshTokens, &grace, &idle, &app.RejectPKCEPlain,
		&app.AllowedScopes, &app.ClaimsFormat, &origins)
	if err != nil {
		return nil, err
	}
	app.AppIdentifier = identifier.String
	if app.RedirectURIs, err = parseList(redirects); err != nil {
		return nil, err
	}
	if app.LogoutRedirectURIs, err = parseList(logoutRedirects); err != nil {
		return nil, err
	}
	if app.GrantTypes, err = parseList(grantTypes); err != nil {
		return nil, err
	}
	if app.WebOrigins, err = parseList(origins); err != nil {
		return nil, err
	}
	app.AccessTokenTTL = time.Duration(accessTTL)
	app.RefreshTokenTTL = time.Duration(refreshTTL)
	app.IDTokenTTL = time.Duration(idTTL)
	app.RefreshGracePeriod, app.RefreshIdleTTL = time.Duration(grace), time.Duration(idle)
	app.CreatedAt, app.UpdatedAt = fromMS(created), fromMS(updated)
	return &app, nil
}

// jsonList encodes a string list; a nil list is stored as [].
func jsonList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // cannot fail for a []string
	return string(b)
}

// parseList decodes a stored list; an empty list comes back nil.
func parseList(s string) ([]string, error) {
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("corrupt list column: %w", err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}
