package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const outboxColumns = `id, kind, sealed, attempts, next_attempt_at, created_at, sent_at, failed_at, last_error`

// outboxPending is the condition of a message still to send.
const outboxPending = `sent_at IS NULL AND failed_at IS NULL`

// EnqueueMessage stores m; see outbox.Store.
func (s *Store) EnqueueMessage(ctx context.Context, m *model.OutboxMessage) error {
	_, err := s.e.Writer().Exec(ctx, `INSERT INTO outbox (`+outboxColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, '')`,
		m.ID, m.Kind, m.Sealed, m.Attempts, s.tv(m.NextAttemptAt), s.tv(m.CreatedAt))
	return s.e.Err("enqueue message", err)
}

// ClaimMessages takes due messages under a lease; see outbox.Store. On
// PostgreSQL SKIP LOCKED gives concurrent claimants disjoint rows without
// waiting; SQLite's single writer serialises them.
func (s *Store) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*model.OutboxMessage, error) {
	if limit <= 0 {
		return nil, s.e.Err("claim messages", errors.New("limit must be positive"))
	}
	rows, err := s.e.Writer().Query(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2
		WHERE id IN (SELECT id FROM outbox WHERE `+outboxPending+` AND next_attempt_at <= $1
			ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING `+outboxColumns, s.tv(now), s.tv(now.Add(lease)), limit)
	if err != nil {
		return nil, s.e.Err("claim messages", err)
	}
	defer rows.Close()
	var out []*model.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, s.e.Err("claim messages", err)
		}
		out = append(out, m)
	}
	return out, s.e.Err("claim messages", rows.Err())
}

func scanOutbox(r Row) (*model.OutboxMessage, error) {
	var m model.OutboxMessage
	err := r.Scan(&m.ID, &m.Kind, &m.Sealed, &m.Attempts, td(&m.NextAttemptAt), td(&m.CreatedAt),
		td(&m.SentAt), td(&m.FailedAt), &m.LastError)
	return &m, err
}

// MarkMessageSent records a delivery; see outbox.Store.
func (s *Store) MarkMessageSent(ctx context.Context, id string, attempt int, at time.Time) error {
	return s.settle(ctx, "mark message sent", `sent_at = $3`, id, attempt, s.tv(at))
}

// RetryMessage schedules the next attempt; see outbox.Store.
func (s *Store) RetryMessage(ctx context.Context, id string, attempt int, next time.Time, lastErr string) error {
	return s.settle(ctx, "retry message", `next_attempt_at = $3, last_error = $4`, id, attempt, s.tv(next), lastErr)
}

// FailMessage gives a message up; see outbox.Store.
func (s *Store) FailMessage(ctx context.Context, id string, attempt int, at time.Time, lastErr string) error {
	return s.settle(ctx, "fail message", `failed_at = $3, last_error = $4`, id, attempt, s.tv(at), lastErr)
}

// settle updates a pending message at attempt with set ($3, $4 its values).
func (s *Store) settle(ctx context.Context, op, set, id string, attempt int, args ...any) error {
	n, err := s.e.Writer().Exec(ctx, `UPDATE outbox SET `+set+`
		WHERE id = $1 AND attempts = $2 AND `+outboxPending, append([]any{id, attempt}, args...)...)
	if err != nil {
		return s.e.Err(op, err)
	}
	if n == 0 {
		return model.ErrNotFound
	}
	return nil
}

// OutboxBacklog counts waiting, due and given-up messages; see outbox.Store.
func (s *Store) OutboxBacklog(ctx context.Context, now time.Time) (model.OutboxBacklog, error) {
	var b model.OutboxBacklog
	err := s.e.Reader().QueryRow(ctx, `SELECT
			COUNT(*) FILTER (WHERE `+outboxPending+`),
			COUNT(*) FILTER (WHERE `+outboxPending+` AND next_attempt_at <= $1),
			COUNT(*) FILTER (WHERE failed_at IS NOT NULL)
		FROM outbox`, s.tv(now)).Scan(&b.Waiting, &b.Due, &b.Failed)
	return b, s.e.Err("outbox backlog", err)
}

// DeleteSentMessages deletes at most limit (> 0) messages sent or given up
// before `before`; see sweep.Deleter.
func (s *Store) DeleteSentMessages(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, s.e.Err("delete sent messages", errSweepLimit)
	}
	n, err := s.e.Writer().Exec(ctx, `DELETE FROM outbox WHERE id IN (
		SELECT id FROM outbox WHERE coalesce(sent_at, failed_at) < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
		s.tv(before), limit)
	if err != nil {
		return 0, s.e.Err("delete sent messages", err)
	}
	return int(n), nil
}
