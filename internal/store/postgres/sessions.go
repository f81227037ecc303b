package postgres

import (
	"context"
	"time"

	"github.com/opengenauth/genauth"
)

const sessionColumns = `id_hash, user_id, auth_time, created_at, expires_at`

func sessionValues(sess *genauth.Session) []any {
	return []any{sess.IDHash, sess.UserID, sess.AuthTime, sess.CreatedAt, sess.ExpiresAt}
}

// CreateSession stores sess; a taken id hash gives genauth.ErrConflict.
func (s *Store) CreateSession(ctx context.Context, sess *genauth.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		sessionValues(sess)...)
	return mapErr("create session", err)
}

// GetSession returns the session with this id hash if it has not expired at now.
func (s *Store) GetSession(ctx context.Context, idHash string, now time.Time) (*genauth.Session, error) {
	var sess genauth.Session
	err := s.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id_hash = $1 AND expires_at > $2`,
		idHash, now).Scan(&sess.IDHash, &sess.UserID, &sess.AuthTime, &sess.CreatedAt, &sess.ExpiresAt)
	if err != nil {
		return nil, mapErr("get session", err)
	}
	sess.AuthTime, sess.CreatedAt, sess.ExpiresAt = utc(sess.AuthTime), utc(sess.CreatedAt), utc(sess.ExpiresAt)
	return &sess, nil
}

// DeleteSession deletes the session with this id hash, if any.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return mapErr("delete session", err)
}
