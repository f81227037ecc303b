package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// oneRow turns "no row changed" into genauth.ErrNotFound.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return model.ErrNotFound
	}
	return nil
}

// UpdateApplication replaces the stored application app.ID, keeping its CreatedAt.
func (s *Store) UpdateApplication(ctx context.Context, app *model.Application) error {
	args := applicationArgs(app)
	// applicationArgs: id first, created_at at index 14.
	set := append(args[1:14:14], args[15:]...)
	res, err := s.write.ExecContext(ctx, `UPDATE applications SET name = ?, secret_hash = ?, redirect_uris = ?,
		logout_redirect_uris = ?, token_auth_method = ?, introspection_auth_method = ?, revocation_auth_method = ?,
		grant_types = ?, access_token_ttl = ?, refresh_token_ttl = ?, id_token_ttl = ?, id_token_alg = ?,
		require_consent = ?, updated_at = ?, app_identifier = ?, logo = ?, description = ?, app_type = ?,
		default_protocol = ?, init_login_uri = ?, sso_enabled = ?, rotate_refresh_tokens = ?,
		refresh_grace_period = ?, refresh_idle_ttl = ?, reject_pkce_plain = ?, allowed_scopes = ?, claims_format = ?,
		web_origins = ?
		WHERE id = ?`, append(set, app.ID)...)
	return mapErr("update application", oneRow(res, err))
}

// DeleteApplication deletes the application with its codes, tokens and consents.
func (s *Store) DeleteApplication(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM applications WHERE id = ?`, id)
		if err := oneRow(res, err); err != nil {
			return err
		}
		for _, table := range []string{"auth_codes", "tokens", "consents"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE client_id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	return mapErr("delete application", err)
}

// CreateAccessKey stores the user pool's only access key.
func (s *Store) CreateAccessKey(ctx context.Context, k *model.AccessKey) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO access_keys (singleton, id, sealed_secret, created_at, updated_at)
		VALUES (1, ?, ?, ?, ?)`, k.ID, k.SealedSecret, toMS(k.CreatedAt), toMS(k.UpdatedAt))
	return mapErr("create access key", err)
}

// GetAccessKey returns the user pool's access key.
func (s *Store) GetAccessKey(ctx context.Context) (*model.AccessKey, error) {
	var (
		k                model.AccessKey
		created, updated int64
	)
	err := s.read.QueryRowContext(ctx, `SELECT id, sealed_secret, created_at, updated_at FROM access_keys`).
		Scan(&k.ID, &k.SealedSecret, &created, &updated)
	if err != nil {
		return nil, mapErr("get access key", err)
	}
	k.CreatedAt, k.UpdatedAt = fromMS(created), fromMS(updated)
	return &k, nil
}

// UpdateAccessKeySecret replaces the sealed secret of access key id.
func (s *Store) UpdateAccessKeySecret(ctx context.Context, id string, sealed []byte, now time.Time) error {
	res, err := s.write.ExecContext(ctx, `UPDATE access_keys SET sealed_secret = ?, updated_at = ? WHERE id = ?`,
		sealed, toMS(now), id)
	return mapErr("update access key", oneRow(res, err))
}

// nonceSweep bounds how many expired nonces one UseNonce deletes.
const nonceSweep = 100

// UseNonce records nonce until expires; a live duplicate gives genauth.ErrConflict.
func (s *Store) UseNonce(ctx context.Context, nonce string, now, expires time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signature_nonces WHERE nonce IN
			(SELECT nonce FROM signature_nonces WHERE expires_at <= ? LIMIT ?)`, toMS(now), nonceSweep); err != nil {
			return err
		}
		// An expired duplicate that the sweep above left is taken over.
		res, err := tx.ExecContext(ctx, `INSERT INTO signature_nonces (nonce, expires_at) VALUES (?, ?)
			ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at
			WHERE signature_nonces.expires_at <= ?`, nonce, toMS(expires), toMS(now))
		if err := oneRow(res, err); errors.Is(err, model.ErrNotFound) {
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
