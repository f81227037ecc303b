package sessions

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Store keeps browser sessions by the hash of their id.
type Store interface {
	// CreateSession stores a new session; a taken id hash gives model.ErrConflict.
	CreateSession(ctx context.Context, s *model.Session) error
	// GetSession returns the session with this id hash if it has not expired
	// at now; else model.ErrNotFound.
	GetSession(ctx context.Context, idHash string, now time.Time) (*model.Session, error)
	// TouchSession records that the session was used at now, for its idle limit.
	TouchSession(ctx context.Context, idHash string, now time.Time) error
	// DeleteSession ends a session; deleting a missing one is not an error.
	DeleteSession(ctx context.Context, idHash string) error
}
