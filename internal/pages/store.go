package pages

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Store is what the pages read directly: the applications a page names,
// the signed-in user, the user a failed sign-in counts against, and the
// user's consents, which the home page lists and withdraws.
type Store interface {
	GetApplication(ctx context.Context, id string) (*model.Application, error)
	ListApplications(ctx context.Context) ([]*model.Application, error)
	GetUser(ctx context.Context, id string) (*model.User, error)
	FindUserByLogin(ctx context.Context, login string) (*model.User, error)
	ConsentStore
}

// ConsentStore lists and withdraws a user's consents.
type ConsentStore interface {
	// ListConsents returns the user's consents, oldest first.
	ListConsents(ctx context.Context, userID string) ([]*model.Consent, error)
	// WithdrawConsent deletes the user's consent for the client and, in the
	// same transaction, revokes at now every token of that user for that
	// client and deletes their unredeemed codes for it; it returns how many
	// tokens it revoked. The user's sessions stay. A missing consent is not
	// an error (the tokens are revoked all the same).
	WithdrawConsent(ctx context.Context, userID, clientID string, now time.Time) (int, error)
}
