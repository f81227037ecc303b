package sqlstore

import (
	"cmp"
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const sessionColumns = `id_hash, user_id, auth_time, created_at, expires_at, last_seen_at, amr`

// CreateSession stores sess; a taken id hash gives genauth.ErrConflict. An
// unset LastSeenAt is stored as CreatedAt.
func (s *Store) CreateSession(ctx context.Context, sess *model.Session) error {
	_, err := s.e.Writer().Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.sessionValues(sess)...)
	return s.e.Err("create session", err)
}

// GetSession returns the session with this id hash if it has not expired at now.
func (s *Store) GetSession(ctx context.Context, idHash string, now time.Time) (*model.Session, error) {
	sess, err := s.scanSession(s.e.Reader().QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE id_hash = $1 AND expires_at > $2`, idHash, s.tv(now)))
	if err != nil {
		return nil, s.e.Err("get session", err)
	}
	return sess, nil
}

// TouchSession records that the session was used at now.
func (s *Store) TouchSession(ctx context.Context, idHash string, now time.Time) error {
	_, err := s.e.Writer().Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2`,
		idHash, s.tv(now))
	return s.e.Err("touch session", err)
}

// DeleteSession deletes the session with this id hash, if any.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.e.Writer().Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return s.e.Err("delete session", err)
}

// sessionValues are sess's column values in sessionColumns order.
func (s *Store) sessionValues(sess *model.Session) []any {
	return []any{sess.IDHash, sess.UserID, s.tv(sess.AuthTime), s.tv(sess.CreatedAt), s.tv(sess.ExpiresAt),
		s.tv(cmp.Or(sess.LastSeenAt, sess.CreatedAt)), s.e.List(sess.AMR)}
}

func (s *Store) scanSession(r Row) (*model.Session, error) {
	var sess model.Session
	err := r.Scan(&sess.IDHash, &sess.UserID, td(&sess.AuthTime), td(&sess.CreatedAt), td(&sess.ExpiresAt),
		td(&sess.LastSeenAt), s.e.ListDest(&sess.AMR))
	if err != nil {
		return nil, err
	}
	sess.AMR = nilIfEmpty(sess.AMR)
	return &sess, nil
}
