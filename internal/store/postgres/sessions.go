package postgres

import (
	"cmp"
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
)

const sessionColumns = `id_hash, user_id, auth_time, created_at, expires_at, last_seen_at`

func sessionValues(sess *model.Session) []any {
	return []any{sess.IDHash, sess.UserID, sess.AuthTime, sess.CreatedAt, sess.ExpiresAt,
		cmp.Or(sess.LastSeenAt, sess.CreatedAt)}
}

// CreateSession stores sess; a taken id hash gives genauth.ErrConflict. An
// unset LastSeenAt is stored as CreatedAt.
func (s *Store) CreateSession(ctx context.Context, sess *model.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		sessionValues(sess)...)
	return mapErr("create session", err)
}

// GetSession returns the session with this id hash if it has not expired at now.
func (s *Store) GetSession(ctx context.Context, idHash string, now time.Time) (*model.Session, error) {
	sess, err := scanSession(s.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE id_hash = $1 AND expires_at > $2`, idHash, now))
	if err != nil {
		return nil, mapErr("get session", err)
	}
	return sess, nil
}

func scanSession(r pgx.Row) (*model.Session, error) {
	var sess model.Session
	if err := r.Scan(&sess.IDHash, &sess.UserID, &sess.AuthTime, &sess.CreatedAt, &sess.ExpiresAt, &sess.LastSeenAt); err != nil {
		return nil, err
	}
	sess.AuthTime, sess.CreatedAt, sess.ExpiresAt = utc(sess.AuthTime), utc(sess.CreatedAt), utc(sess.ExpiresAt)
	sess.LastSeenAt = utc(sess.LastSeenAt)
	return &sess, nil
}

// TouchSession records that the session was used at now.
func (s *Store) TouchSession(ctx context.Context, idHash string, now time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2`,
		idHash, now)
	return mapErr("touch session", err)
}

// DeleteSession deletes the session with this id hash, if any.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return mapErr("delete session", err)
}
