package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// RotateRefreshToken retires the refresh token refreshID and stores issued
// in its place, in one immediate transaction (see oauth.TokenStore).
func (s *Store) RotateRefreshToken(ctx context.Context, refreshID string, now time.Time, grace time.Duration, issued []*model.Token) error {
	if _, err := store.SuccessorID(refreshID, issued); err != nil {
		return err
	}
	reused := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var (
			grantID          string
			parent           sql.NullString
			expires          int64
			revoked, rotated sql.NullInt64
		)
		err := s.txRow(ctx, tx, `SELECT grant_id, parent_id, expires_at, revoked_at, rotated_at FROM tokens
			WHERE id = ? AND kind = ?`, refreshID, model.TokenRefresh).Scan(&grantID, &parent, &expires, &revoked, &rotated)
		if err != nil {
			return err
		}
		nowMS := toMS(now)
		var retry bool
		switch {
		case rotated.Valid:
			if retry, err = s.graceRetry(ctx, tx, refreshID, nowMS, rotated.Int64, expires, grace); err != nil {
				return err
			}
		case revoked.Valid:
			// Revoked without a rotation: given up by a retry, it is reuse.
			givenUp, err := s.givenUp(ctx, tx, refreshID, parent, revoked.Int64)
			if err != nil || !givenUp {
				return cmp.Or(err, model.ErrInactive)
			}
		case expires <= nowMS:
			return model.ErrInactive
		default:
			if _, err := s.txExec(ctx, tx, `UPDATE tokens SET rotated_at = ?, revoked_at = ? WHERE id = ?`,
				nowMS, nowMS, refreshID); err != nil {
				return err
			}
			return s.insertTokens(ctx, tx, issued)
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
			nowMS, refreshID, model.TokenRefresh, refreshID, model.TokenRefresh); err != nil {
			return err
		}
		return s.insertTokens(ctx, tx, issued)
	})
	if err != nil {
		return mapErr("rotate refresh token", err)
	}
	if reused {
		return model.ErrTokenReused
	}
	return nil
}

// graceRetry reports whether presenting the already rotated refresh token
// refreshID again is a retry within the grace period: not expired, rotated at
// most grace ago, and its successor unused: no refresh token it issued was
// rotated or revoked since, and no access token issued with one was used.
func (s *Store) graceRetry(ctx context.Context, tx *sql.Tx, refreshID string, nowMS, rotatedMS, expiresMS int64, grace time.Duration) (bool, error) {
	if grace <= 0 || nowMS-rotatedMS > grace.Milliseconds() || expiresMS <= nowMS {
		return false, nil
	}
	var touched int
	err := s.txRow(ctx, tx, `SELECT count(*) FROM tokens r WHERE r.parent_id = ? AND r.kind = ?
		AND (r.rotated_at IS NOT NULL OR r.revoked_at IS NOT NULL
			OR EXISTS (SELECT 1 FROM tokens a WHERE a.parent_id = r.id AND a.used_at IS NOT NULL))`,
		refreshID, model.TokenRefresh).Scan(&touched)
	return touched == 0, err
}

// givenUp reports whether the revoked, never rotated refresh token refreshID
// was given up by a retry of its parent: a sibling was issued when (or after)
// it was revoked.
func (s *Store) givenUp(ctx context.Context, tx *sql.Tx, refreshID string, parent sql.NullString, revokedMS int64) (bool, error) {
	if !parent.Valid {
		return false, nil
	}
	var siblings int
	err := s.txRow(ctx, tx, `SELECT count(*) FROM tokens WHERE parent_id = ? AND kind = ? AND id <> ? AND issued_at >= ?`,
		parent.String, model.TokenRefresh, refreshID, revokedMS).Scan(&siblings)
	return siblings > 0, err
}
