package outbox

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Store keeps the messages to send. A claim is fenced by the message's
// attempt count: the outcome of an attempt is recorded only while no later
// claim has taken the message, so a sender whose lease ran out cannot
// overwrite the state its successor recorded.
type Store interface {
	// EnqueueMessage stores m, unsent and due at m.NextAttemptAt; a taken
	// id gives model.ErrConflict.
	EnqueueMessage(ctx context.Context, m *model.OutboxMessage) error
	// ClaimMessages takes at most limit (> 0) messages due at now (not sent,
	// not given up, next attempt at or before now), earliest due first: each
	// one's attempts grows by one and its next attempt moves to now+lease,
	// so that no claimant takes it again before the lease ends. Concurrent
	// callers, on any number of nodes, get disjoint messages. The returned
	// messages show the new attempts and next attempt.
	ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*model.OutboxMessage, error)
	// MarkMessageSent records that attempt of message id delivered it at
	// `at`. When the message is no longer at that attempt (claimed again
	// since), or unknown, it gives model.ErrNotFound and changes nothing.
	MarkMessageSent(ctx context.Context, id string, attempt int, at time.Time) error
	// RetryMessage records that attempt failed with lastErr and the message
	// is due again at next; fenced like MarkMessageSent.
	RetryMessage(ctx context.Context, id string, attempt int, next time.Time, lastErr string) error
	// FailMessage records that attempt failed with lastErr and the message
	// is given up at `at`; fenced like MarkMessageSent.
	FailMessage(ctx context.Context, id string, attempt int, at time.Time, lastErr string) error
	// OutboxBacklog counts the messages waiting to be sent, those of them
	// due at now, and those given up and not yet swept.
	OutboxBacklog(ctx context.Context, now time.Time) (model.OutboxBacklog, error)
}
