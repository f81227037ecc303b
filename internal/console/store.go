package console

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// Admins is who may use the console (internal/account/admins).
type Admins interface {
	// IsAdmin reports whether userID holds the admin role.
	IsAdmin(ctx context.Context, userID string) (bool, error)
	// Claim makes userID the first administrator with the one-time token
	// printed at start: model.ErrNotFound for a wrong, used or expired
	// token, model.ErrConflict once an administrator exists.
	Claim(ctx context.Context, token, userID string) error
	// Count returns how many administrators there are.
	Count(ctx context.Context) (int, error)
}

// Store is what the console reads that no service offers.
type Store interface {
	// GetUser returns the user, or model.ErrNotFound.
	GetUser(ctx context.Context, id string) (*model.User, error)
	// ListAuditEvents returns the events matching q, newest first.
	ListAuditEvents(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, error)
	// ListAuditPage returns the events matching q, newest first, from the
	// cursor q.Before, and the next page's cursor ("" after the last); a
	// malformed cursor is model.ErrInvalidInput.
	ListAuditPage(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, string, error)
	// CountAuditByDay counts the events of types with since <= time < until
	// by UTC day ("2006-01-02") and type; days and types without events
	// are absent.
	CountAuditByDay(ctx context.Context, types []string, since, until time.Time) (map[string]map[string]int, error)
	// CountUsers returns how many users there are.
	CountUsers(ctx context.Context) (int, error)
}
