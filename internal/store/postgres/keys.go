package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
)

const signingKeyColumns = `id, alg, public_der, encrypted_private, created_at, activates_at`

func signingKeyValues(k *model.SigningKey) []any {
	return []any{k.ID, k.Alg, k.PublicDER, k.EncryptedPrivate, k.CreatedAt, k.ActivatesAt}
}

// CreateSigningKey stores k; a taken id gives genauth.ErrConflict.
func (s *Store) CreateSigningKey(ctx context.Context, k *model.SigningKey) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO signing_keys (`+signingKeyColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		signingKeyValues(k)...)
	return mapErr("create signing key", err)
}

// ListSigningKeys returns every key ordered by activation, then creation.
func (s *Store) ListSigningKeys(ctx context.Context) ([]*model.SigningKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+signingKeyColumns+` FROM signing_keys
		ORDER BY activates_at, created_at, id`)
	if err != nil {
		return nil, mapErr("list signing keys", err)
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.SigningKey, error) {
		var k model.SigningKey
		if err := r.Scan(&k.ID, &k.Alg, &k.PublicDER, &k.EncryptedPrivate, &k.CreatedAt, &k.ActivatesAt); err != nil {
			return nil, err
		}
		k.CreatedAt, k.ActivatesAt = utc(k.CreatedAt), utc(k.ActivatesAt)
		return &k, nil
	})
	if err != nil {
		return nil, mapErr("list signing keys", err)
	}
	return keys, nil
}

// ActivateSigningKey sets the key's activation time; a missing key gives
// genauth.ErrNotFound.
func (s *Store) ActivateSigningKey(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE signing_keys SET activates_at = $2 WHERE id = $1`, id, at)
	if err != nil {
		return mapErr("activate signing key", err)
	}
	if tag.RowsAffected() == 0 {
		return model.ErrNotFound
	}
	return nil
}

// DeleteSigningKey removes the key, if any.
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM signing_keys WHERE id = $1`, id)
	return mapErr("delete signing key", err)
}
