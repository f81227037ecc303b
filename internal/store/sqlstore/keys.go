package sqlstore

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const signingKeyColumns = `id, alg, public_der, encrypted_private, created_at, activates_at`

// CreateSigningKey stores k; a taken id gives genauth.ErrConflict.
func (s *Store) CreateSigningKey(ctx context.Context, k *model.SigningKey) error {
	_, err := s.e.Writer().Exec(ctx, `INSERT INTO signing_keys (`+signingKeyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		k.ID, k.Alg, k.PublicDER, k.EncryptedPrivate, s.tv(k.CreatedAt), s.tv(k.ActivatesAt))
	return s.e.Err("create signing key", err)
}

// ListSigningKeys returns every key ordered by activation, then creation.
func (s *Store) ListSigningKeys(ctx context.Context) ([]*model.SigningKey, error) {
	keys, err := collect(ctx, s.e.Reader(), scanSigningKey, `SELECT `+signingKeyColumns+` FROM signing_keys
		ORDER BY activates_at, created_at, id`)
	if err != nil {
		return nil, s.e.Err("list signing keys", err)
	}
	return keys, nil
}

// ActivateSigningKey sets the key's activation time; a missing key gives
// genauth.ErrNotFound.
func (s *Store) ActivateSigningKey(ctx context.Context, id string, at time.Time) error {
	n, err := s.e.Writer().Exec(ctx, `UPDATE signing_keys SET activates_at = $2 WHERE id = $1`, id, s.tv(at))
	if err != nil {
		return s.e.Err("activate signing key", err)
	}
	if n == 0 {
		return model.ErrNotFound
	}
	return nil
}

// DeleteSigningKey removes the key, if any.
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	_, err := s.e.Writer().Exec(ctx, `DELETE FROM signing_keys WHERE id = $1`, id)
	return s.e.Err("delete signing key", err)
}

func scanSigningKey(r Row) (*model.SigningKey, error) {
	var k model.SigningKey
	if err := r.Scan(&k.ID, &k.Alg, &k.PublicDER, &k.EncryptedPrivate, td(&k.CreatedAt), td(&k.ActivatesAt)); err != nil {
		return nil, err
	}
	return &k, nil
}

// SigningNeeds reports whether any application signs id tokens with ES256
// and the longest access token lifetime of those issuing JWTs.
func (s *Store) SigningNeeds(ctx context.Context) (model.SigningNeeds, error) {
	var es256, longest int64
	err := s.e.Reader().QueryRow(ctx, `SELECT
		COALESCE(MAX(CASE WHEN id_token_alg = $1 THEN 1 ELSE 0 END), 0),
		COALESCE(MAX(CASE WHEN access_token_format = $2 THEN access_token_ttl ELSE 0 END), 0)
		FROM applications`, model.SigningES256, model.AccessTokenJWT).Scan(&es256, &longest)
	if err != nil {
		return model.SigningNeeds{}, s.e.Err("signing needs", err)
	}
	return model.SigningNeeds{ES256: es256 == 1, LongestJWT: time.Duration(longest)}, nil
}
