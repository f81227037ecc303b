package sqlstore

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

const throttleColumns = `key, count, window_start, locked_until, expires_at`

// HitThrottle counts one more failure for key (see throttle.Store); the upsert
// is one statement, atomic under concurrency. Every expression of the update
// sees the row as it was. $4 - $2 is the window as the engine counts time
// (an interval on PostgreSQL, milliseconds on SQLite), so that one text adds
// it to window_start on both; the CASE is greatest/max, which the two spell
// differently, and keeps window_start + window when locked_until is NULL.
func (s *Store) HitThrottle(ctx context.Context, key string, now time.Time, window time.Duration) (*model.Throttle, error) {
	th, err := scanThrottle(s.e.Writer().QueryRow(ctx, `INSERT INTO throttles (key, count, window_start, expires_at)
		VALUES ($1, 1, $2, $4)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN throttles.window_start <= $3 THEN 1 ELSE throttles.count + 1 END,
			locked_until = CASE WHEN throttles.window_start <= $3 THEN NULL ELSE throttles.locked_until END,
			window_start = CASE WHEN throttles.window_start <= $3 THEN excluded.window_start ELSE throttles.window_start END,
			expires_at = CASE WHEN throttles.window_start <= $3 THEN excluded.expires_at
				WHEN throttles.locked_until > throttles.window_start + ($4 - $2) THEN throttles.locked_until
				ELSE throttles.window_start + ($4 - $2) END
		RETURNING `+throttleColumns, key, s.tv(now), s.tv(now.Add(-window)), s.tv(now.Add(window))))
	if err != nil {
		return nil, s.e.Err("hit throttle", err)
	}
	return th, nil
}

// errAttemptRefused rolls back ReserveAttempt's transaction when a key is
// locked: the rows it made to lock keys without one must not stay.
var errAttemptRefused = errors.New("attempt refused")

// ReserveAttempt counts an attempt against keys before it is judged (see
// throttle.Store). On PostgreSQL it locks each key's row first, in key
// order (so that no two callers wait on each other in a cycle), inserting
// one where the key has none (see holdThrottle): callers on every node
// take turns on a key, also on one without a row yet, and HitThrottle,
// ReleaseAttempt and ResetThrottle on the key wait for the transaction
// too. On SQLite the immediate transaction holds the write lock from the
// first statement, so concurrent callers, in this process or another, take
// turns. A refused attempt rolls back, leaving no row it inserted.
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
	err := s.e.InTx(ctx, func(c Conn) error {
		held := make(map[string]*model.Throttle, len(order))
		for _, key := range slices.Compact(order) {
			th, err := s.holdThrottle(ctx, c, key, now)
			if err != nil {
				return err
			}
			held[key] = th
		}
		current := make([]*model.Throttle, len(keys))
		for i, k := range keys {
			current[i] = held[k.Key]
		}
		if states, granted = store.NextAttempt(current, now, window, keys); !granted {
			return errAttemptRefused
		}
		for _, th := range states {
			if _, err := c.Exec(ctx, `UPDATE throttles SET count = $2, window_start = $3, locked_until = $4, expires_at = $5
				WHERE key = $1`, th.Key, th.Count, s.tv(th.WindowStart), s.ntv(th.LockedUntil), s.tv(th.ExpiresAt)); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errAttemptRefused) {
		return states, false, nil
	}
	if err != nil {
		return nil, false, s.e.Err("reserve attempt", err)
	}
	return states, granted, nil
}

// holdThrottle locks key's row for ReserveAttempt and returns it, or nil
// when there was none: then it inserts a placeholder, which the transaction
// holds as it holds any new row. A row deleted between the insert that found
// it and the lock (ResetThrottle, the sweep) is made again.
func (s *Store) holdThrottle(ctx context.Context, c Conn, key string, now time.Time) (*model.Throttle, error) {
	for {
		made, err := c.Exec(ctx, `INSERT INTO throttles (key, count, window_start, expires_at) VALUES ($1, 0, $2, $2)
			ON CONFLICT (key) DO NOTHING`, key, s.tv(now))
		if err != nil || made == 1 {
			return nil, err
		}
		found, err := collect(ctx, c, scanThrottle, `SELECT `+throttleColumns+` FROM throttles WHERE key = $1 FOR UPDATE`, key)
		if err != nil {
			return nil, err
		}
		if len(found) == 1 {
			return found[0], nil
		}
	}
}

// ReleaseAttempt takes back an attempt counted against key.
func (s *Store) ReleaseAttempt(ctx context.Context, key string) error {
	_, err := s.e.Writer().Exec(ctx, `UPDATE throttles SET count = CASE WHEN count > 0 THEN count - 1 ELSE 0 END,
		locked_until = NULL WHERE key = $1`, key)
	return s.e.Err("release attempt", err)
}

// ConfirmLock locks key until until, as a failed attempt that reached the
// limit confirms its pending lock (see throttle.Store), unless a success
// since took the count below atLeast; a later lock stays.
func (s *Store) ConfirmLock(ctx context.Context, key string, until time.Time, atLeast int) (bool, error) {
	n, err := s.e.Writer().Exec(ctx, `UPDATE throttles SET
		locked_until = CASE WHEN locked_until > $2 THEN locked_until ELSE $2 END,
		expires_at = CASE WHEN expires_at > $2 THEN expires_at ELSE $2 END
		WHERE key = $1 AND count >= $3`, key, s.tv(until), atLeast)
	if err != nil {
		return false, s.e.Err("confirm lock", err)
	}
	return n == 1, nil
}

// GetThrottle returns key's state.
func (s *Store) GetThrottle(ctx context.Context, key string) (*model.Throttle, error) {
	th, err := scanThrottle(s.e.Reader().QueryRow(ctx, `SELECT `+throttleColumns+` FROM throttles WHERE key = $1`, key))
	if err != nil {
		return nil, s.e.Err("get throttle", err)
	}
	return th, nil
}

// ResetThrottle forgets key.
func (s *Store) ResetThrottle(ctx context.Context, key string) error {
	_, err := s.e.Writer().Exec(ctx, `DELETE FROM throttles WHERE key = $1`, key)
	return s.e.Err("reset throttle", err)
}

func scanThrottle(r Row) (*model.Throttle, error) {
	var th model.Throttle
	if err := r.Scan(&th.Key, &th.Count, td(&th.WindowStart), td(&th.LockedUntil), td(&th.ExpiresAt)); err != nil {
		return nil, err
	}
	return &th, nil
}
