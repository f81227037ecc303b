package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

const throttleColumns = `key, count, window_start, locked_until, expires_at`

func throttleValues(th *model.Throttle) []any {
	return []any{th.Key, th.Count, th.WindowStart, nullTime(th.LockedUntil), th.ExpiresAt}
}

func scanThrottle(r pgx.Row) (*model.Throttle, error) {
	var (
		th      model.Throttle
		lockEnd *time.Time
	)
	if err := r.Scan(&th.Key, &th.Count, &th.WindowStart, &lockEnd, &th.ExpiresAt); err != nil {
		return nil, err
	}
	th.WindowStart, th.LockedUntil, th.ExpiresAt = utc(th.WindowStart), fromNullTime(lockEnd), utc(th.ExpiresAt)
	return &th, nil
}

// HitThrottle counts one more failure for key (see throttle.Store); the upsert
// is one statement, atomic under concurrency.
func (s *Store) HitThrottle(ctx context.Context, key string, now time.Time, window time.Duration) (*model.Throttle, error) {
	th, err := scanThrottle(s.pool.QueryRow(ctx, `INSERT INTO throttles (key, count, window_start, expires_at)
		VALUES ($1, 1, $2, $4)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN throttles.window_start <= $3 THEN 1 ELSE throttles.count + 1 END,
			locked_until = CASE WHEN throttles.window_start <= $3 THEN NULL ELSE throttles.locked_until END,
			window_start = CASE WHEN throttles.window_start <= $3 THEN excluded.window_start ELSE throttles.window_start END,
			expires_at = CASE WHEN throttles.window_start <= $3 THEN excluded.expires_at
				ELSE greatest(throttles.window_start + $5::interval, throttles.locked_until) END
		RETURNING `+throttleColumns, key, now, now.Add(-window), now.Add(window), window))
	if err != nil {
		return nil, mapErr("hit throttle", err)
	}
	return th, nil
}

// throttleLockClass is the first key of the advisory locks ReserveAttempt
// takes, one per throttle key: the two-key form keeps them apart from the
// single-key locks of Migrate and WithLock.
const throttleLockClass = 0x67656e61 // "gena"

// ReserveAttempt counts an attempt against keys before it is judged (see
// throttle.Store). A transaction-scoped advisory lock per key, taken in key
// order (so that no two callers wait on each other in a cycle), makes
// callers on every node take turns on a key, also on one without a row yet.
func (s *Store) ReserveAttempt(ctx context.Context, now time.Time, window time.Duration, keys ...store.ThrottleKey) ([]*model.Throttle, bool, error) {
	var (
		states  []*model.Throttle
		granted bool
	)
	order := make([]string, len(keys))
	for i, k := range keys {
		order[i] = k.Key
	}
	slices.Sort(order)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for _, key := range slices.Compact(order) {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, throttleLockClass, key); err != nil {
				return err
			}
		}
		current := make([]*model.Throttle, len(keys))
		for i, k := range keys {
			th, err := scanThrottle(tx.QueryRow(ctx, `SELECT `+throttleColumns+` FROM throttles WHERE key = $1`, k.Key))
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			current[i] = th
		}
		if states, granted = store.NextAttempt(current, now, window, keys); !granted {
			return nil
		}
		for _, th := range states {
			if _, err := tx.Exec(ctx, `INSERT INTO throttles (`+throttleColumns+`) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (key) DO UPDATE SET count = excluded.count, window_start = excluded.window_start,
					locked_until = excluded.locked_until, expires_at = excluded.expires_at`, throttleValues(th)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, mapErr("reserve attempt", err)
	}
	return states, granted, nil
}

// ReleaseAttempt takes back an attempt counted against key.
func (s *Store) ReleaseAttempt(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, `UPDATE throttles SET count = greatest(count - 1, 0), locked_until = NULL WHERE key = $1`, key)
	return mapErr("release attempt", err)
}

// GetThrottle returns key's state.
func (s *Store) GetThrottle(ctx context.Context, key string) (*model.Throttle, error) {
	th, err := scanThrottle(s.pool.QueryRow(ctx, `SELECT `+throttleColumns+` FROM throttles WHERE key = $1`, key))
	if err != nil {
		return nil, mapErr("get throttle", err)
	}
	return th, nil
}

// ResetThrottle forgets key.
func (s *Store) ResetThrottle(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM throttles WHERE key = $1`, key)
	return mapErr("reset throttle", err)
}

const auditColumns = `time, type, user_id, client_id, ip, detail`

func auditValues(e *model.AuditEvent) []any {
	return []any{e.Time, e.Type, e.UserID, e.ClientID, e.IP, e.Detail}
}

// AppendAuditEvents stores events in one batch.
func (s *Store) AppendAuditEvents(ctx context.Context, events ...*model.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	rows := make([][]any, len(events))
	for i, e := range events {
		rows[i] = auditValues(e)
	}
	_, err := s.pool.CopyFrom(ctx, pgx.Identifier{"audit_events"}, strings.Split(auditColumns, ", "), pgx.CopyFromRows(rows))
	return mapErr("append audit events", err)
}

// ListAuditEvents returns the events matching q, newest first.
func (s *Store) ListAuditEvents(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if q.Type != "" {
		add("type = $%d", q.Type)
	}
	if q.UserID != "" {
		add("user_id = $%d", q.UserID)
	}
	if q.ClientID != "" {
		add("client_id = $%d", q.ClientID)
	}
	if !q.Since.IsZero() {
		add("time >= $%d", q.Since)
	}
	if !q.Until.IsZero() {
		add("time < $%d", q.Until)
	}
	sqlText := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		sqlText += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, q.RowLimit())
	sqlText += fmt.Sprintf(` ORDER BY time DESC, seq DESC LIMIT $%d`, len(args))
	rows, err := s.pool.Query(ctx, sqlText, args...)
	if err != nil {
		return nil, mapErr("list audit events", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.AuditEvent, error) {
		var e model.AuditEvent
		if err := r.Scan(&e.Time, &e.Type, &e.UserID, &e.ClientID, &e.IP, &e.Detail); err != nil {
			return nil, err
		}
		e.Time = utc(e.Time)
		return &e, nil
	})
	return out, mapErr("list audit events", err)
}

// SignOutClient revokes the client's tokens and deletes its open codes.
func (s *Store) SignOutClient(ctx context.Context, clientID string, now time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE tokens SET revoked_at = $2 WHERE client_id = $1 AND revoked_at IS NULL`, clientID, now)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		_, err = tx.Exec(ctx, `DELETE FROM auth_codes WHERE client_id = $1 AND redeemed_at IS NULL`, clientID)
		return err
	})
	return int(n), mapErr("sign out client", err)
}
