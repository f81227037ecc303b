package sqlstore

import (
	"cmp"
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// RotateRefreshToken retires the refresh token refreshID and stores issued
// in its place (see oauth.TokenStore), in a transaction maybe shared with
// concurrent callers (see Grouper). The row lock on the old token orders
// concurrent rotations of it; a retry also locks the successors and their
// access tokens, which orders it against their use. A reuse returns nil
// from the transaction's function, so that its revocation is committed.
func (s *Store) RotateRefreshToken(ctx context.Context, refreshID string, now time.Time, grace time.Duration, issued []*model.Token) error {
	if _, err := store.SuccessorID(refreshID, issued); err != nil {
		return err
	}
	reused := false
	err := s.groupTx(ctx, func(c Conn) error {
		var (
			grantID, parent           string
			expires, revoked, rotated time.Time
		)
		err := c.QueryRow(ctx, `SELECT grant_id, parent_id, expires_at, revoked_at, rotated_at FROM tokens
			WHERE id = $1 AND kind = $2 FOR UPDATE`, refreshID, model.TokenRefresh).
			Scan(&grantID, nd(&parent), td(&expires), td(&revoked), td(&rotated))
		if err != nil {
			return err
		}
		var retry bool
		switch {
		case !rotated.IsZero():
			if retry, err = s.graceRetry(ctx, c, refreshID, now, rotated, expires, grace); err != nil {
				return err
			}
		case !revoked.IsZero():
			// Revoked without a rotation: given up by a retry, it is reuse.
			givenUp, err := s.givenUp(ctx, c, refreshID, parent, revoked)
			if err != nil || !givenUp {
				return cmp.Or(err, model.ErrInactive)
			}
		case !now.Before(expires):
			return model.ErrInactive
		default:
			if _, err := c.Exec(ctx, `UPDATE tokens SET rotated_at = $2, revoked_at = $2 WHERE id = $1`,
				refreshID, s.tv(now)); err != nil {
				return err
			}
			return s.insertTokens(ctx, c, issued)
		}
		if !retry {
			reused = true
			_, err := c.Exec(ctx, `UPDATE tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL`,
				grantID, s.tv(now))
			return err
		}
		// A retried refresh: what the first rotation issued is given up.
		if _, err := c.Exec(ctx, `UPDATE tokens SET revoked_at = $1
			WHERE revoked_at IS NULL AND (id IN (SELECT id FROM tokens WHERE parent_id = $2 AND kind = $3)
				OR parent_id IN (SELECT id FROM tokens WHERE parent_id = $2 AND kind = $3))`,
			s.tv(now), refreshID, model.TokenRefresh); err != nil {
			return err
		}
		return s.insertTokens(ctx, c, issued)
	})
	if err != nil {
		return s.e.Err("rotate refresh token", err)
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
// The successors and their tokens are locked and read as committed, so a
// rotation of a successor or a RecordTokenUse in flight is seen, or waits
// and then finds its token revoked.
func (s *Store) graceRetry(ctx context.Context, c Conn, refreshID string, now, rotated, expires time.Time, grace time.Duration) (bool, error) {
	if grace <= 0 || now.Sub(rotated) > grace || !now.Before(expires) {
		return false, nil
	}
	touched, err := collect(ctx, c, func(r Row) (bool, error) {
		var t bool
		err := r.Scan(&t)
		return t, err
	}, `SELECT rotated_at IS NOT NULL OR revoked_at IS NOT NULL OR used_at IS NOT NULL
		FROM tokens WHERE (parent_id = $1 AND kind = $2)
			OR parent_id IN (SELECT id FROM tokens WHERE parent_id = $1 AND kind = $2)
		ORDER BY id FOR UPDATE`, refreshID, model.TokenRefresh)
	if err != nil {
		return false, err
	}
	for _, t := range touched {
		if t {
			return false, nil
		}
	}
	return true, nil
}

// givenUp reports whether the revoked, never rotated refresh token refreshID
// was given up by a retry of its parent: a sibling was issued when (or after)
// it was revoked.
func (s *Store) givenUp(ctx context.Context, c Conn, refreshID, parent string, revoked time.Time) (bool, error) {
	if parent == "" {
		return false, nil
	}
	var found bool
	err := c.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tokens WHERE parent_id = $1 AND kind = $2 AND id <> $3 AND issued_at >= $4)`,
		parent, model.TokenRefresh, refreshID, s.tv(revoked)).Scan(&found)
	return found, err
}
