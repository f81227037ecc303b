package sqlite

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
)

// TestAppSettingsMigration upgrades a database made before
// 0008_app_settings.sql: an application that could use client_credentials
// keeps asking for any scope, the others may ask for none; every one gets
// the standard claim format and the origins of its login callbacks.
func TestAppSettingsMigration(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	err = s.inTx(t.Context(), func(tx *sql.Tx) error {
		if _, err := tx.Exec(`CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
			return err
		}
		for _, name := range names {
			version := strings.TrimPrefix(name, "migrations/")
			if version >= "0008_app_settings.sql" {
				break
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(string(body)); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`, version); err != nil {
				return err
			}
		}
		for _, a := range []struct{ id, grants string }{
			{"m2m", `["client_credentials"]`},
			{"web", `["authorization_code","refresh_token"]`},
		} {
			if _, err := tx.Exec(`INSERT INTO applications (id, name, secret_hash, redirect_uris, logout_redirect_uris,
				token_auth_method, introspection_auth_method, revocation_auth_method, grant_types,
				access_token_ttl, refresh_token_ttl, created_at, updated_at)
				VALUES (?, ?, 'h', '["https://app.example/cb"]', '[]', 'client_secret_post', 'client_secret_post',
				'client_secret_post', ?, 1000000000, 1000000000, 0, 0)`, a.id, a.id, a.grants); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
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
