package sqlstore

import (
	"context"
	"time"
)

// GetSetting returns the installation setting key, or model.ErrNotFound
// when it was never set.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.e.Reader().QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	return v, s.e.Err("get setting", err)
}

// PutSetting sets the installation setting key to value.
func (s *Store) PutSetting(ctx context.Context, key, value string, now time.Time) error {
	_, err := s.e.Writer().Exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, s.tv(now))
	return s.e.Err("put setting", err)
}
