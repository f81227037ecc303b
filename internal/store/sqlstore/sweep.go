package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// errSweepLimit refuses a sweep of no rows.
var errSweepLimit = errors.New("limit must be positive")

// sweeps are the DELETE statements of DeleteExpired, in order: $1 is the
// cut-off, $2 how many rows may still go. Each picks rows through the expiry
// index and skips those a later request may need. On PostgreSQL the rows
// are locked with SKIP LOCKED, so that sweepers on several nodes take
// disjoint rows and none waits on a row a request holds (the lock covers
// the rows of the subquery's FROM only, not those its EXISTS reads); SQLite
// has no row locks, and its single writer serialises sweepers.
var sweeps = []string{
	`DELETE FROM sessions WHERE id_hash IN (
		SELECT id_hash FROM sessions WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
	// A redeemed code stays while its grant has an unexpired token, so that
	// a replay still revokes the grant.
	`DELETE FROM auth_codes WHERE hash IN (
		SELECT c.hash FROM auth_codes c WHERE c.expires_at < $1
		AND (c.redeemed_at IS NULL OR NOT EXISTS (
			SELECT 1 FROM tokens t WHERE t.grant_id = c.grant_id AND t.expires_at >= $1))
		LIMIT $2 FOR UPDATE SKIP LOCKED)`,
	// A refresh token stays while a token issued from it is unexpired, so
	// that revoking it still reaches that token.
	`DELETE FROM tokens WHERE hash IN (
		SELECT p.hash FROM tokens p WHERE p.expires_at < $1
		AND NOT (p.kind = '` + model.TokenRefresh + `' AND p.id IS NOT NULL AND EXISTS (
			SELECT 1 FROM tokens c WHERE c.parent_id = p.id AND c.expires_at >= $1))
		LIMIT $2 FOR UPDATE SKIP LOCKED)`,
	// A throttle row goes once its window and its lock are over.
	`DELETE FROM throttles WHERE key IN (
		SELECT key FROM throttles WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
	`DELETE FROM passcodes WHERE (channel, destination) IN (
		SELECT channel, destination FROM passcodes WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
}

// DeleteExpired deletes at most limit expired sessions, codes, tokens,
// throttle rows and verification codes; see sweep.Deleter. Each statement commits on its own, so
// no lock (a row's on PostgreSQL, the database's on SQLite) outlives one
// small batch.
func (s *Store) DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, s.e.Err("delete expired", errSweepLimit)
	}
	deleted := 0
	for _, q := range sweeps {
		if deleted == limit {
			break
		}
		n, err := s.e.Writer().Exec(ctx, q, s.tv(before), limit-deleted)
		if err != nil {
			return deleted, s.e.Err("delete expired", err)
		}
		deleted += int(n)
	}
	return deleted, nil
}

// DeleteAuditEvents deletes at most limit (> 0) audit events older than
// before and returns how many it deleted; concurrent sweepers take
// disjoint rows.
func (s *Store) DeleteAuditEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, s.e.Err("delete audit events", errSweepLimit)
	}
	n, err := s.e.Writer().Exec(ctx, `DELETE FROM audit_events WHERE seq IN (
		SELECT seq FROM audit_events WHERE time < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`, s.tv(before), limit)
	if err != nil {
		return 0, s.e.Err("delete audit events", err)
	}
	return int(n), nil
}
