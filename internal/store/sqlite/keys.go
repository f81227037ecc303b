package sqlite

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// CreateSigningKey stores k; a taken id gives genauth.ErrConflict.
func (s *Store) CreateSigningKey(ctx context.Context, k *model.SigningKey) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO signing_keys
		(id, alg, public_der, encrypted_private, created_at, activates_at) VALUES (?, ?, ?, ?, ?, ?)`,
		k.ID, k.Alg, k.PublicDER, k.EncryptedPrivate, toMS(k.CreatedAt), toMS(k.ActivatesAt))
	return mapErr("create signing key", err)
}

// ListSigningKeys returns every key ordered by activation, then creation.
func (s *Store) ListSigningKeys(ctx context.Context) ([]*model.SigningKey, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, alg, public_der, encrypted_private, created_at, activates_at
		FROM signing_keys ORDER BY activates_at, created_at, id`)
	if err != nil {
		return nil, mapErr("list signing keys", err)
	}
	defer rows.Close()
	var keys []*model.SigningKey
	for rows.Next() {
		var (
			k                  model.SigningKey
			created, activates int64
		)
		if err := rows.Scan(&k.ID, &k.Alg, &k.PublicDER, &k.EncryptedPrivate, &created, &activates); err != nil {
			return nil, mapErr("list signing keys", err)
		}
		k.CreatedAt, k.ActivatesAt = fromMS(created), fromMS(activates)
		keys = append(keys, &k)
	}
	return keys, mapErr("list signing keys", rows.Err())
}

// ActivateSigningKey sets the key's activation time.
func (s *Store) ActivateSigningKey(ctx context.Context, id string, at time.Time) error {
	res, err := s.write.ExecContext(ctx, `UPDATE signing_keys SET activates_at = ? WHERE id = ?`, toMS(at), id)
	if err != nil {
		return mapErr("activate signing key", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return model.ErrNotFound
	}
	return nil
}

// DeleteSigningKey removes the key, if any.
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM signing_keys WHERE id = ?`, id)
	return mapErr("delete signing key", err)
}
