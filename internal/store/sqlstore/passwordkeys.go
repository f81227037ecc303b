package sqlstore

import (
	"context"

	"github.com/opengenauth/genauth/internal/model"
)

const passwordKeyColumns = `singleton, public_der, sealed_private, created_at`

// CreatePasswordKey stores the installation's only password key; a second
// gives model.ErrConflict.
func (s *Store) CreatePasswordKey(ctx context.Context, k *model.PasswordKey) error {
	_, err := s.e.Writer().Exec(ctx, `INSERT INTO password_keys (`+passwordKeyColumns+`) VALUES (1, $1, $2, $3)`,
		k.PublicDER, k.SealedPrivate, s.tv(k.CreatedAt))
	return s.e.Err("create password key", err)
}

// GetPasswordKey returns the password key, or model.ErrNotFound.
func (s *Store) GetPasswordKey(ctx context.Context) (*model.PasswordKey, error) {
	k, err := scanPasswordKey(s.e.Reader().QueryRow(ctx, `SELECT `+passwordKeyColumns+` FROM password_keys`))
	if err != nil {
		return nil, s.e.Err("get password key", err)
	}
	return k, nil
}

func scanPasswordKey(r Row) (*model.PasswordKey, error) {
	var (
		k         model.PasswordKey
		singleton int
	)
	if err := r.Scan(&singleton, &k.PublicDER, &k.SealedPrivate, td(&k.CreatedAt)); err != nil {
		return nil, err
	}
	return &k, nil
}
