package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/opengenauth/genauth"
	"github.com/opengenauth/genauth/internal/store"
)

// RotateRefreshToken retires the refresh token refreshID and stores issued
// in its place, in one immediate transaction (see store.Store).
func (s *Store) RotateRefreshToken(ctx context.Context, refreshID string, now time.Time, grace time.Duration, issued []*genauth.Token) error {
	if _, err := store.SuccessorID(refreshID, issued); err != nil {
		return err
	}
	reused := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var (
			grantID          string
			expires          int64
			revoked, rotated sql.NullInt64
		)
		err := s.txRow(ctx, tx, `SELECT grant_id, expires_at, revoked_at, rotated_at FROM tokens
			WHERE id = ? AND kind = ?`, refreshID, genauth.TokenRefresh).Scan(&grantID, &expires, &revoked, &rotated)
		if err != nil {
			return err
		}
		nowMS := toMS(now)
		if !rotated.Valid {
			if revoked.Valid || expires <= nowMS {
				return genauth.ErrInactive
			}
			if _, err := s.txExec(ctx, tx, `UPDATE tokens SET rotated_at = ?, revoked_at = ? WHERE id = ?`,
				nowMS, nowMS, refreshID); err != nil {
				return err
			}
			return s.insertTokens(ctx, tx, issued)
		}
		retry, err := graceRetry(ctx, tx, refreshID, nowMS, rotated.Int64, expires, grace)
		if err != nil {
			return err
		}
		if !retry {
			reused = true
			_, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL`,
				nowMS, grantID)
			return err
		}
		// A retried refresh: what the first rotation issued is given up.
		if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ?
			WHERE revoked_at IS NULL AND (id IN (SELECT id FROM tokens WHERE parent_id = ? AND kind = ?)
				OR parent_id IN (SELECT id FROM tokens WHERE parent_id = ? AND kind = ?))`,
			nowMS, refreshID, genauth.TokenRefresh, refreshID, genauth.TokenRefresh); err != nil {
			return err
		}
		return s.insertTokens(ctx, tx, issued)
	})
	if err != nil {
		return mapErr("rotate refresh token", err)
	}
	if reused {
		return genauth.ErrTokenReused
	}
	return nil
}

// graceRetry reports whether presenting the already rotated refresh token
// refreshID again is a retry within the grace period: not expired, rotated at
// most grace ago, and its successor neither used nor revoked since.
func graceRetry(ctx context.Context, tx *sql.Tx, refreshID string, nowMS, rotatedMS, expiresMS int64, grace time.Duration) (bool, error) {
	if grace <= 0 || nowMS-rotatedMS > grace.Milliseconds() || expiresMS <= nowMS {
		return false, nil
	}
	var touched int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tokens WHERE parent_id = ? AND kind = ?
		AND (rotated_at IS NOT NULL OR revoked_at IS NOT NULL)`, refreshID, genauth.TokenRefresh).Scan(&touched)
	return touched == 0, err
}
