package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

const throttleColumns = `key, count, window_start, locked_until, expires_at`

func scanThrottle(r scanner) (*model.Throttle, error) {
	var (
		th             model.Throttle
		start, expires int64
		lockEnd        sql.NullInt64
	)
	if err := r.Scan(&th.Key, &th.Count, &start, &lockEnd, &expires); err != nil {
		return nil, err
	}
	th.WindowStart, th.LockedUntil, th.ExpiresAt = fromMS(start), fromNullMS(lockEnd), fromMS(expires)
	return &th, nil
}

// HitThrottle counts one more failure for key (see throttle.Store).
func (s *Store) HitThrottle(ctx context.Context, key string, now time.Time, window time.Duration) (*model.Throttle, error) {
	var th *model.Throttle
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// Every expression sees the row as it was.
		_, err := tx.ExecContext(ctx, `INSERT INTO throttles (key, count, window_start, expires_at) VALUES (?1, 1, ?2, ?4)
			ON CONFLICT (key) DO UPDATE SET
				count = CASE WHEN window_start <= ?3 THEN 1 ELSE count + 1 END,
				locked_until = CASE WHEN window_start <= ?3 THEN NULL ELSE locked_until END,
				window_start = CASE WHEN window_start <= ?3 THEN excluded.window_start ELSE window_start END,
				expires_at = CASE WHEN window_start <= ?3 THEN excluded.expires_at
					ELSE max(window_start + ?5, COALESCE(locked_until, 0)) END`,
			key, toMS(now), toMS(now.Add(-window)), toMS(now.Add(window)), window.Milliseconds())
		if err != nil {
			return err
		}
		th, err = scanThrottle(tx.QueryRowContext(ctx, `SELECT `+throttleColumns+` FROM throttles WHERE key = ?`, key))
		return err
	})
	if err != nil {
		return nil, mapErr("hit throttle", err)
	}
	return th, nil
}

// ReserveAttempt counts an attempt against keys before it is judged (see
// throttle.Store). The immediate transaction holds SQLite's write lock from the
// first read, so concurrent callers, in this process or another, take turns.
func (s *Store) ReserveAttempt(ctx context.Context, now time.Time, window time.Duration, keys ...store.ThrottleKey) ([]*model.Throttle, bool, error) {
	var (
		states  []*model.Throttle
		granted bool
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		current := make([]*model.Throttle, len(keys))
		for i, k := range keys {
			th, err := scanThrottle(tx.QueryRowContext(ctx, `SELECT `+throttleColumns+` FROM throttles WHERE key = ?`, k.Key))
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			current[i] = th
		}
		if states, granted = store.NextAttempt(current, now, window, keys); !granted {
			return nil
		}
		for _, th := range states {
			if _, err := tx.ExecContext(ctx, `INSERT INTO throttles (`+throttleColumns+`) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET count = excluded.count, window_start = excluded.window_start,
					locked_until = excluded.locked_until, expires_at = excluded.expires_at`,
				th.Key, th.Count, toMS(th.WindowStart), toNullMS(th.LockedUntil), toMS(th.ExpiresAt)); err != nil {
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
	_, err := s.write.ExecContext(ctx, `UPDATE throttles SET count = max(count - 1, 0), locked_until = NULL WHERE key = ?`, key)
	return mapErr("release attempt", err)
}

// GetThrottle returns key's state.
func (s *Store) GetThrottle(ctx context.Context, key string) (*model.Throttle, error) {
	th, err := scanThrottle(s.read.QueryRowContext(ctx, `SELECT `+throttleColumns+` FROM throttles WHERE key = ?`, key))
	if err != nil {
		return nil, mapErr("get throttle", err)
	}
	return th, nil
}

// ResetThrottle forgets key.
func (s *Store) ResetThrottle(ctx context.Context, key string) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM throttles WHERE key = ?`, key)
	return mapErr("reset throttle", err)
}

const auditColumns = `time, type, user_id, client_id, ip, detail`

func scanAuditEvent(r scanner) (*model.AuditEvent, error) {
	var (
		e  model.AuditEvent
		at int64
	)
	if err := r.Scan(&at, &e.Type, &e.UserID, &e.ClientID, &e.IP, &e.Detail); err != nil {
		return nil, err
	}
	e.Time = fromMS(at)
	return &e, nil
}

// AppendAuditEvents stores events in one transaction.
func (s *Store) AppendAuditEvents(ctx context.Context, events ...*model.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO audit_events (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range events {
			if _, err := stmt.ExecContext(ctx, toMS(e.Time), e.Type, e.UserID, e.ClientID, e.IP, e.Detail); err != nil {
				return err
			}
		}
		return nil
	})
	return mapErr("append audit events", err)
}

// ListAuditEvents returns the events matching q, newest first.
func (s *Store) ListAuditEvents(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, error) {
	var where []string
	var args []any
	for _, f := range []struct{ col, v string }{{"type", q.Type}, {"user_id", q.UserID}, {"client_id", q.ClientID}} {
		if f.v != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.v)
		}
	}
	if !q.Since.IsZero() {
		where, args = append(where, "time >= ?"), append(args, toMS(q.Since))
	}
	if !q.Until.IsZero() {
		where, args = append(where, "time < ?"), append(args, toMS(q.Until))
	}
	sqlText := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		sqlText += ` WHERE ` + strings.Join(where, " AND ")
	}
	sqlText += ` ORDER BY time DESC, rowid DESC LIMIT ?`
	args = append(args, q.RowLimit())
	rows, err := s.read.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, mapErr("list audit events", err)
	}
	defer rows.Close()
	var out []*model.AuditEvent
	for rows.Next() {
		e, err := scanAuditEvent(rows)
		if err != nil {
			return nil, mapErr("list audit events", err)
		}
		out = append(out, e)
	}
	return out, mapErr("list audit events", rows.Err())
}

// SignOutClient revokes the client's tokens and deletes its open codes.
func (s *Store) SignOutClient(ctx context.Context, clientID string, now time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL`,
			toMS(now), clientID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM auth_codes WHERE client_id = ? AND redeemed_at IS NULL`, clientID)
		return err
	})
	return int(n), mapErr("sign out client", err)
}
