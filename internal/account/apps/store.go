package apps

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Store keeps the applications. Lookups that find nothing give
// model.ErrNotFound.
type Store interface {
	CreateApplication(ctx context.Context, app *model.Application) error
	GetApplication(ctx context.Context, id string) (*model.Application, error)
	// ListApplications returns every application, oldest first.
	ListApplications(ctx context.Context) ([]*model.Application, error)
	// UpdateApplication replaces the stored application with id app.ID
	// (CreatedAt is kept); a missing one gives model.ErrNotFound.
	UpdateApplication(ctx context.Context, app *model.Application) error
	// DeleteApplication deletes the application with its codes, tokens,
	// consents and enabled upstream connections; a missing one gives
	// model.ErrNotFound.
	DeleteApplication(ctx context.Context, id string) error
	// SignOutClient revokes at now every token of the client and deletes its
	// unredeemed codes, atomically, and returns how many tokens it revoked.
	SignOutClient(ctx context.Context, clientID string, now time.Time) (int, error)
}
