package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth"
	"github.com/opengenauth/genauth/internal/store"
)

// RotateRefreshToken retires the refresh token refreshID and stores issued
// in its place (see store.Store). The row lock on the old token orders
// concurrent rotations of it.
func (s *Store) RotateRefreshToken(ctx context.Context, refreshID string, now time.Time, grace time.Duration, issued []*genauth.Token) error {
	if _, err := store.SuccessorID(refreshID, issued); err != nil {
		return err
	}
	reused := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var (
			grantID          string
			expires          time.Time
			revoked, rotated *time.Time
		)
		err := tx.QueryRow(ctx, `SELECT grant_id, expires_at, revoked_at, rotated_at FROM tokens
			WHERE id = $1 AND kind = $2 FOR UPDATE`, refreshID, genauth.TokenRefresh).Scan(&grantID, &expires, &revoked, &rotated)
		if err != nil {
			return err
		}
		if rotated == nil {
			if revoked != nil || !now.Before(expires) {
				return genauth.ErrInactive
			}
			if _, err := tx.Exec(ctx, `UPDATE tokens SET rotated_at = $2, revoked_at = $2 WHERE id = $1`, refreshID, now); err != nil {
				return err
			}
			return insertTokens(ctx, tx, issued)
		}
		retry := grace > 0 && now.Sub(*rotated) <= grace && now.Before(expires)
		if retry {
			var touched int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM tokens WHERE parent_id = $1 AND kind = $2
				AND (rotated_at IS NOT NULL OR revoked_at IS NOT NULL)`, refreshID, genauth.TokenRefresh).Scan(&touched); err != nil {
				return err
			}
			retry = touched == 0
		}
		if !retry {
			reused = true
			_, err := tx.Exec(ctx, `UPDATE tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL`, grantID, now)
			return err
		}
		// A retried refresh: what the first rotation issued is given up.
		if _, err := tx.Exec(ctx, `UPDATE tokens SET revoked_at = $1
			WHERE revoked_at IS NULL AND (id IN (SELECT id FROM tokens WHERE parent_id = $2 AND kind = $3)
				OR parent_id IN (SELECT id FROM tokens WHERE parent_id = $2 AND kind = $3))`,
			now, refreshID, genauth.TokenRefresh); err != nil {
			return err
		}
		return insertTokens(ctx, tx, issued)
	})
	if err != nil {
		return mapErr("rotate refresh token", err)
	}
	if reused {
		return genauth.ErrTokenReused
	}
	return nil
}
