package sqlite

import (
	"cmp"
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const sessionColumns = `id_hash, user_id, auth_time, created_at, expires_at, last_seen_at`

// CreateSession stores sess; a taken id hash gives genauth.ErrConflict. An
// unset LastSeenAt is stored as CreatedAt.
func (s *Store) CreateSession(ctx context.Context, sess *model.Session) error {
	_, err := s.writeExec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		sess.IDHash, sess.UserID, toMS(sess.AuthTime), toMS(sess.CreatedAt), toMS(sess.ExpiresAt),
		toMS(cmp.Or(sess.LastSeenAt, sess.CreatedAt)))
	return mapErr("create session", err)
}

// GetSession returns the session with this id hash if it has not expired at now.
func (s *Store) GetSession(ctx context.Context, idHash string, now time.Time) (*model.Session, error) {
	sess, err := scanSession(s.readRow(ctx, `SELECT `+sessionColumns+`
		FROM sessions WHERE id_hash = ? AND expires_at > ?`, idHash, toMS(now)))
	if err != nil {
		return nil, mapErr("get session", err)
	}
	return sess, nil
}

func scanSession(r scanner) (*model.Session, error) {
	var (
		sess                                 model.Session
		authTime, created, expires, lastSeen int64
	)
	if err := r.Scan(&sess.IDHash, &sess.UserID, &authTime, &created, &expires, &lastSeen); err != nil {
		return nil, err
	}
	sess.AuthTime, sess.CreatedAt, sess.ExpiresAt = fromMS(authTime), fromMS(created), fromMS(expires)
	sess.LastSeenAt = fromMS(lastSeen)
	return &sess, nil
}

// TouchSession records that the session was used at now.
func (s *Store) TouchSession(ctx context.Context, idHash string, now time.Time) error {
	_, err := s.writeExec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?`,
		toMS(now), idHash, toMS(now))
	return mapErr("touch session", err)
}

// DeleteSession deletes the session with this id hash, if any.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return mapErr("delete session", err)
}
