package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/postgres"
)

// TestAppSettingsMigration upgrades a database made before
// 0007_app_settings.sql: an application that could use client_credentials
// keeps asking for any scope, the others may ask for none; every one gets
// the standard claim format and the origins of its login callbacks.
func TestAppSettingsMigration(t *testing.T) {
	url := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	if _, err := conn.Exec(t.Context(), `CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		version := filepath.Base(f)
		if version >= "0007_app_settings.sql" {
			break
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(t.Context(), string(body)); err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		if _, err := conn.Exec(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())`, version); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []struct {
		id     string
		grants []string
	}{{"m2m", []string{"client_credentials"}}, {"web", []string{"authorization_code", "refresh_token"}}} {
		if _, err := conn.Exec(t.Context(), `INSERT INTO applications (id, name, secret_hash, redirect_uris, logout_redirect_uris,
			token_auth_method, introspection_auth_method, revocation_auth_method, grant_types,
			access_token_ttl, refresh_token_ttl, created_at, updated_at)
			VALUES ($1, $1, 'h', '{https://app.example/cb}', '{}', 'client_secret_post', 'client_secret_post',
			'client_secret_post', $2, 1000000000, 1000000000, now(), now())`, a.id, a.grants); err != nil {
			t.Fatal(err)
		}
	}
	s, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	for id, scopes := range map[string]string{"m2m": model.AnyScope, "web": ""} {
		app, err := s.GetApplication(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if app.AllowedScopes != scopes || app.ClaimsFormat != model.ClaimsStandard || app.WebOrigins != nil {
			t.Errorf("%s after the migration: allowed scopes %q, claims format %q, web origins %q; want %q, standard, none",
				id, app.AllowedScopes, app.ClaimsFormat, app.WebOrigins, scopes)
		}
	}
}
