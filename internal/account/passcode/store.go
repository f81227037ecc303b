package passcode

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Store keeps verification codes, one live code per (channel, destination).
type Store interface {
	// SavePasscode stores p, replacing any code of its (channel,
	// destination), and enqueues m (outbox.Store.EnqueueMessage) in the same
	// transaction: both are stored or neither. A taken message id gives
	// model.ErrConflict and stores nothing. A nil m stores p alone (a reset
	// token or a grant, which is handed over in the answer, not sent).
	SavePasscode(ctx context.Context, p *model.Passcode, m *model.OutboxMessage) error
	// UsePasscode judges hash against the code of (channel, destination) at
	// now, atomically. A live code (unexpired, fewer than maxTries wrong
	// tries) whose hash equals hash (compared in constant time) is right:
	// nil, and with consume the code is deleted, so that of concurrent
	// consumers exactly one gets nil. Otherwise model.ErrWrongCode: no code,
	// a dead one, or a wrong hash, which counts a try against a live code.
	// An expired code gives model.ErrCodeExpired when hash is right, else
	// model.ErrWrongCode, so that an expiry tells nothing to whoever did
	// not receive the code.
	UsePasscode(ctx context.Context, channel, destination, hash string, now time.Time, maxTries int, consume bool) error
}
