package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/opengenauth/genauth/internal/model"
)

// oneRow turns "no row changed" into genauth.ErrNotFound.
func oneRow(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return model.ErrNotFound
	}
	return nil
}

// UpdateApplication replaces the stored application app.ID, keeping its CreatedAt.
func (s *Store) UpdateApplication(ctx context.Context, app *model.Application) error {
	v := applicationValues(app)
	// applicationValues: id first, created_at at index 14.
	set := append(v[1:14:14], v[15:]...)
	tag, err := s.pool.Exec(ctx, `UPDATE applications SET name = $1, secret_hash = $2, redirect_uris = $3,
		logout_redirect_uris = $4, token_auth_method = $5, introspection_auth_method = $6,
		revocation_auth_method = $7, grant_types = $8, access_token_ttl = $9, refresh_token_ttl = $10,
		id_token_ttl = $11, id_token_alg = $12, require_consent = $13, updated_at = $14, app_identifier = $15,
		logo = $16, description = $17, app_type = $18, default_protocol = $19, init_login_uri = $20,
		sso_enabled = $21, rotate_refresh_tokens = $22, refresh_grace_period = $23, refresh_idle_ttl = $24,
		reject_pkce_plain = $25, allowed_scopes = $26, claims_format = $27, web_origins = $28
		WHERE id = $29`, append(set, app.ID)...)
	return mapErr("update application", oneRow(tag, err))
}

// DeleteApplication deletes the application with its codes, tokens and consents.
func (s *Store) DeleteApplication(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM applications WHERE id = $1`, id)
		if err := oneRow(tag, err); err != nil {
			return err
		}
		for _, table := range []string{"auth_codes", "tokens", "consents"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE client_id = $1`, id); err != nil {
				return err
			}
		}
		return nil
	})
	return mapErr("delete application", err)
}

// CreateAccessKey stores the user pool's only access key.
func (s *Store) CreateAccessKey(ctx context.Context, k *model.AccessKey) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO access_keys (singleton, id, sealed_secret, created_at, updated_at)
		VALUES (1, $1, $2, $3, $4)`, k.ID, k.SealedSecret, k.CreatedAt, k.UpdatedAt)
	return mapErr("create access key", err)
}

// GetAccessKey returns the user pool's access key.
func (s *Store) GetAccessKey(ctx context.Context) (*model.AccessKey, error) {
	var k model.AccessKey
	err := s.pool.QueryRow(ctx, `SELECT id, sealed_secret, created_at, updated_at FROM access_keys`).
		Scan(&k.ID, &k.SealedSecret, &k.CreatedAt, &k.UpdatedAt)
	if err != nil {
		return nil, mapErr("get access key", err)
	}
	k.CreatedAt, k.UpdatedAt = utc(k.CreatedAt), utc(k.UpdatedAt)
	return &k, nil
}

// UpdateAccessKeySecret replaces the sealed secret of access key id.
func (s *Store) UpdateAccessKeySecret(ctx context.Context, id string, sealed []byte, now time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE access_keys SET sealed_secret = $1, updated_at = $2 WHERE id = $3`,
		sealed, now, id)
	return mapErr("update access key", oneRow(tag, err))
}

// nonceSweep bounds how many expired nonces one UseNonce deletes.
const nonceSweep = 100

// UseNonce records nonce until expires; a live duplicate gives genauth.ErrConflict.
func (s *Store) UseNonce(ctx context.Context, nonce string, now, expires time.Time) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// SKIP LOCKED: concurrent callers sweep different rows instead of waiting.
		if _, err := tx.Exec(ctx, `DELETE FROM signature_nonces WHERE nonce IN
			(SELECT nonce FROM signature_nonces WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			now, nonceSweep); err != nil {
			return err
		}
		// An expired duplicate the sweep above left is taken over.
		tag, err := tx.Exec(ctx, `INSERT INTO signature_nonces (nonce, expires_at) VALUES ($1, $2)
			ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at
			WHERE signature_nonces.expires_at <= $3`, nonce, expires, now)
		if err := oneRow(tag, err); errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("nonce: %w", model.ErrConflict)
		} else if err != nil {
			return err
		}
		return nil
	})
	if errors.Is(err, model.ErrConflict) {
		return err
	}
	return mapErr("use nonce", err)
}
