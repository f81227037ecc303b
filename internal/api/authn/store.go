package authn

import (
	"context"
	"net/http"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/wire"
)

// Store is what the authentication API reads.
type Store interface {
	// GetApplication returns the application with this id, or model.ErrNotFound.
	GetApplication(ctx context.Context, id string) (*model.Application, error)
	// ListApplications returns every application, oldest first.
	ListApplications(ctx context.Context) ([]*model.Application, error)
	// GetToken returns the token with this hash, active or not, or model.ErrNotFound.
	GetToken(ctx context.Context, hash string) (*model.Token, error)
	// GetTokenWithUser is GetToken that also returns the token's user, nil
	// when the token has none or the user no longer exists.
	GetTokenWithUser(ctx context.Context, hash string) (*model.Token, *model.User, error)
	// GetUser returns the user with this id, or model.ErrNotFound.
	GetUser(ctx context.Context, id string) (*model.User, error)
}

// Tokens is the token endpoint's code, which signin shares (oauth.Handler).
type Tokens interface {
	// AuthenticateClient authenticates a request's client as the token
	// endpoint does; a failure wraps oauth.ErrClient.
	AuthenticateClient(r *http.Request, clientID, clientSecret string, hasSecret bool) (*model.Application, error)
	// IssueSignIn mints the tokens of a checked password sign-in.
	IssueSignIn(r *http.Request, app *model.Application, u *model.User, scope string, authTime time.Time, amr []string) (*wire.TokenResponse, error)
}

// PasswordKeyStore keeps the RSA key clients encrypt passwords to, its
// private half sealed.
type PasswordKeyStore interface {
	// CreatePasswordKey stores the installation's password key; there is
	// at most one, so a second gives model.ErrConflict (of nodes starting
	// together, one creates it and the others read it).
	CreatePasswordKey(ctx context.Context, k *model.PasswordKey) error
	// GetPasswordKey returns the password key, or model.ErrNotFound when none was made yet.
	GetPasswordKey(ctx context.Context) (*model.PasswordKey, error)
}
