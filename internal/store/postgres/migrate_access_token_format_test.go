package postgres_test

import (
	"testing"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/postgres"
	"github.com/opengenauth/genauth/internal/store/storetest"
)

// TestAccessTokenFormatMigration upgrades a database made before
// 0012_access_token_format.sql: its applications, OpenID Connect ones
// included, keep opaque access tokens, so nothing changes under a running
// deployment.
func TestAccessTokenFormatMigration(t *testing.T) {
	s, err := postgres.Open(t.Context(), pgtest.NewDatabase(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()
	if err := s.MigrateTo(ctx, storetest.MigrationBefore(t, "migrations", "0012_access_token_format.sql")); err != nil {
		t.Fatal(err)
	}
	for _, proto := range []string{model.ProtocolOIDC, model.ProtocolOAuth} {
		if err := s.Exec(ctx, `INSERT INTO applications (id, name, secret_hash, redirect_uris, logout_redirect_uris,
			token_auth_method, introspection_auth_method, revocation_auth_method, grant_types,
			access_token_ttl, refresh_token_ttl, default_protocol, created_at, updated_at)
			VALUES ($1, $1, 'h', '{https://app.example/cb}', '{}', 'client_secret_post', 'client_secret_post',
			'client_secret_post', '{authorization_code}', 1000000000, 1000000000, $1, now(), now())`, proto); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{model.ProtocolOIDC, model.ProtocolOAuth} {
		app, err := s.GetApplication(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if app.AccessTokenFormat != model.AccessTokenOpaque {
			t.Errorf("the %s application after the migration: access tokens %q; want opaque", id, app.AccessTokenFormat)
		}
	}
}
