package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// CreateAccessKey stores the user pool's only access key.
func (s *Store) CreateAccessKey(ctx context.Context, k *model.AccessKey) error {
	_, err := s.e.Writer().Exec(ctx, `INSERT INTO access_keys (singleton, id, sealed_secret, created_at, updated_at)
		VALUES (1, $1, $2, $3, $4)`, k.ID, k.SealedSecret, s.tv(k.CreatedAt), s.tv(k.UpdatedAt))
	return s.e.Err("create access key", err)
}

// GetAccessKey returns the user pool's access key.
func (s *Store) GetAccessKey(ctx context.Context) (*model.AccessKey, error) {
	var k model.AccessKey
	err := s.e.Reader().QueryRow(ctx, `SELECT id, sealed_secret, created_at, updated_at FROM access_keys`).
		Scan(&k.ID, &k.SealedSecret, td(&k.CreatedAt), td(&k.UpdatedAt))
	if err != nil {
		return nil, s.e.Err("get access key", err)
	}
	return &k, nil
}

// UpdateAccessKeySecret replaces the sealed secret of access key id.
func (s *Store) UpdateAccessKeySecret(ctx context.Context, id string, sealed []byte, now time.Time) error {
	n, err := s.e.Writer().Exec(ctx, `UPDATE access_keys SET sealed_secret = $1, updated_at = $2 WHERE id = $3`,
		sealed, s.tv(now), id)
	return s.e.Err("update access key", changedRow(n, err))
}

// nonceSweep bounds how many expired nonces one UseNonce deletes.
const nonceSweep = 100

// UseNonce records nonce until expires; a live duplicate gives genauth.ErrConflict.
func (s *Store) UseNonce(ctx context.Context, nonce string, now, expires time.Time) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		// SKIP LOCKED: concurrent callers sweep different rows instead of
		// waiting (PostgreSQL; SQLite's transaction excludes them anyway).
		if _, err := c.Exec(ctx, `DELETE FROM signature_nonces WHERE nonce IN
			(SELECT nonce FROM signature_nonces WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			s.tv(now), nonceSweep); err != nil {
			return err
		}
		// An expired duplicate the sweep above left is taken over.
		n, err := c.Exec(ctx, `INSERT INTO signature_nonces (nonce, expires_at) VALUES ($1, $2)
			ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at
			WHERE signature_nonces.expires_at <= $3`, nonce, s.tv(expires), s.tv(now))
		if err := changedRow(n, err); errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("nonce: %w", model.ErrConflict)
		} else if err != nil {
			return err
		}
		return nil
	})
	if errors.Is(err, model.ErrConflict) {
		return err
	}
	return s.e.Err("use nonce", err)
}
