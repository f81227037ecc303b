package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// sweeps are the DELETE statements of DeleteExpired, in order: ?1 is the
// cut-off in unix milliseconds, ?2 how many rows may still go. Each picks
// rows through the expiry index and skips those a later request may need.
var sweeps = []string{
	`DELETE FROM sessions WHERE rowid IN (
		SELECT rowid FROM sessions WHERE expires_at < ?1 LIMIT ?2)`,
	// A redeemed code stays while its grant has an unexpired token, so that
	// a replay still revokes the grant.
	`DELETE FROM auth_codes WHERE rowid IN (
		SELECT c.rowid FROM auth_codes c WHERE c.expires_at < ?1
		AND (c.redeemed_at IS NULL OR NOT EXISTS (
			SELECT 1 FROM tokens t WHERE t.grant_id = c.grant_id AND t.expires_at >= ?1))
		LIMIT ?2)`,
	// A refresh token stays while a token issued from it is unexpired, so
	// that revoking it still reaches that token.
	`DELETE FROM tokens WHERE rowid IN (
		SELECT p.rowid FROM tokens p WHERE p.expires_at < ?1
		AND NOT (p.kind = '` + model.TokenRefresh + `' AND p.id IS NOT NULL AND EXISTS (
			SELECT 1 FROM tokens c WHERE c.parent_id = p.id AND c.expires_at >= ?1))
		LIMIT ?2)`,
	// A throttle row goes once its window and its lock are over.
	`DELETE FROM throttles WHERE rowid IN (
		SELECT rowid FROM throttles WHERE expires_at < ?1 LIMIT ?2)`,
}

// DeleteExpired deletes at most limit expired sessions, codes, tokens and
// throttle rows in one short write transaction; see sweep.Deleter. SQLite's single writer
// serialises concurrent calls, also from other processes (busy timeout).
func (s *Store) DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, errors.New("sqlite: delete expired: limit must be positive")
	}
	deleted := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range sweeps {
			if deleted == limit {
				return nil
			}
			res, err := tx.ExecContext(ctx, q, toMS(before), limit-deleted)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			deleted += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, mapErr("delete expired", err)
	}
	return deleted, nil
}

// DeleteAuditEvents deletes at most limit (> 0) audit events older than
// before, in one short write transaction, and returns how many it deleted.
func (s *Store) DeleteAuditEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, errors.New("sqlite: delete audit events: limit must be positive")
	}
	res, err := s.write.ExecContext(quick(ctx), `DELETE FROM audit_events WHERE rowid IN (
		SELECT rowid FROM audit_events WHERE time < ? LIMIT ?)`, toMS(before), limit)
	if err != nil {
		return 0, mapErr("delete audit events", err)
	}
	n, err := res.RowsAffected()
	return int(n), mapErr("delete audit events", err)
}
