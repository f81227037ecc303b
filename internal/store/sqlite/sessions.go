package sqlite

import (
	"context"
	"time"

	"github.com/opengenauth/genauth"
)

// CreateSession stores sess; a taken id hash gives genauth.ErrConflict.
func (s *Store) CreateSession(ctx context.Context, sess *genauth.Session) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, auth_time, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`,
		sess.IDHash, sess.UserID, toMS(sess.AuthTime), toMS(sess.CreatedAt), toMS(sess.ExpiresAt))
	return mapErr("create session", err)
}

// GetSession returns the session with this id hash if it has not expired at now.
func (s *Store) GetSession(ctx context.Context, idHash string, now time.Time) (*genauth.Session, error) {
	var (
		sess                       genauth.Session
		authTime, created, expires int64
	)
	err := s.read.QueryRowContext(ctx, `SELECT id_hash, user_id, auth_time, created_at, expires_at
		FROM sessions WHERE id_hash = ? AND expires_at > ?`, idHash, toMS(now)).
		Scan(&sess.IDHash, &sess.UserID, &authTime, &created, &expires)
	if err != nil {
		return nil, mapErr("get session", err)
	}
	sess.AuthTime, sess.CreatedAt, sess.ExpiresAt = fromMS(authTime), fromMS(created), fromMS(expires)
	return &sess, nil
}

// DeleteSession deletes the session with this id hash, if any.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return mapErr("delete session", err)
}
