package sqlstore

import (
	"context"
	"time"
)

// CountActiveSessions counts sessions unexpired at now and used since idleSince.
func (s *Store) CountActiveSessions(ctx context.Context, now, idleSince time.Time) (int, error) {
	var n int
	err := s.e.Reader().QueryRow(ctx, `SELECT count(*) FROM sessions WHERE expires_at > $1 AND last_seen_at >= $2`,
		s.tv(now), s.tv(idleSince)).Scan(&n)
	return n, s.e.Err("count sessions", err)
}

// SignOutClient revokes the client's tokens and deletes its open codes.
func (s *Store) SignOutClient(ctx context.Context, clientID string, now time.Time) (int, error) {
	var n int64
	err := s.e.InTx(ctx, func(c Conn) error {
		var err error
		n, err = c.Exec(ctx, `UPDATE tokens SET revoked_at = $2 WHERE client_id = $1 AND revoked_at IS NULL`,
			clientID, s.tv(now))
		if err != nil {
			return err
		}
		_, err = c.Exec(ctx, `DELETE FROM auth_codes WHERE client_id = $1 AND redeemed_at IS NULL`, clientID)
		return err
	})
	return int(n), s.e.Err("sign out client", err)
}
