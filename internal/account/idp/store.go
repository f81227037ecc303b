package idp

import (
	"context"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// Store keeps upstream identity providers, their connections, which
// applications enable them, and the identities linking users to upstream
// accounts. Lookups that find nothing give model.ErrNotFound.
type Store interface {
	Users
	Factors
	// CreateExtIdp stores p; a taken id gives model.ErrConflict.
	CreateExtIdp(ctx context.Context, p *model.ExtIdp) error
	// GetExtIdp returns the ExtIdp with this id.
	GetExtIdp(ctx context.Context, id string) (*model.ExtIdp, error)
	// ListExtIdps returns every ExtIdp, oldest first.
	ListExtIdps(ctx context.Context) ([]*model.ExtIdp, error)
	// UpdateExtIdp replaces the name and logo of the stored ExtIdp p.ID; its
	// type and CreatedAt stay. A missing one gives model.ErrNotFound.
	UpdateExtIdp(ctx context.Context, p *model.ExtIdp) error
	// DeleteExtIdp deletes the ExtIdp with its connections, their
	// enablements and the identities linked at it, atomically; a missing
	// one gives model.ErrNotFound.
	DeleteExtIdp(ctx context.Context, id string) error

	// CreateExtIdpConn stores c under its ExtIdp c.ExtIdpID, whose type it
	// takes (c.Type is set to it). An unknown ExtIdp gives
	// model.ErrNotFound, also when it is being deleted at the same time; a
	// taken id or identifier gives model.ErrConflict.
	CreateExtIdpConn(ctx context.Context, c *model.ExtIdpConn) error
	// GetExtIdpConn returns the connection with this id.
	GetExtIdpConn(ctx context.Context, id string) (*model.ExtIdpConn, error)
	// GetExtIdpConnByIdentifier returns the connection with this identifier.
	GetExtIdpConnByIdentifier(ctx context.Context, identifier string) (*model.ExtIdpConn, error)
	// ListExtIdpConns returns the connections of the ExtIdp extIdpID (every
	// connection when ""), oldest first.
	ListExtIdpConns(ctx context.Context, extIdpID string) ([]*model.ExtIdpConn, error)
	// UpdateExtIdpConn replaces the identifier, display name, logo,
	// LoginOnly, Fields, SealedSecret and UpdatedAt of the stored connection
	// c.ID; its ExtIdp, type and CreatedAt stay. A missing one gives
	// model.ErrNotFound, a taken identifier model.ErrConflict.
	UpdateExtIdpConn(ctx context.Context, c *model.ExtIdpConn) error
	// DeleteExtIdpConn deletes the connection and its enablements,
	// atomically; a missing one gives model.ErrNotFound. The identities
	// signed in through it stay: they belong to the ExtIdp, and their
	// ConnID still names the deleted connection.
	DeleteExtIdpConn(ctx context.Context, id string) error
	// SetConnEnabled enables or disables the connection connID for the
	// application appID; doing either twice is the same as once. An unknown
	// application or connection gives model.ErrNotFound, also when it is
	// being deleted at the same time.
	SetConnEnabled(ctx context.Context, connID, appID string, enabled bool) error
	// ListEnabledConns returns the connections the application appID
	// enables, oldest first (none for an unknown application).
	ListEnabledConns(ctx context.Context, appID string) ([]*model.ExtIdpConn, error)
	// ListConnApps returns the ids of the applications enabling the
	// connection connID, sorted.
	ListConnApps(ctx context.Context, connID string) ([]string, error)

	// CreateIdentity stores i. An unknown user or ExtIdp gives
	// model.ErrNotFound, also when it is being deleted at the same time; a
	// taken id, an upstream account (ExtIdpID, Subject) linked already, or
	// a user with an identity at that ExtIdp already gives
	// model.ErrConflict.
	CreateIdentity(ctx context.Context, i *model.Identity) error
	// CreateUserWithIdentity stores the user u and its identity i in one
	// transaction: both or neither. The conflicts of users.Store.CreateUser
	// (a taken username, email, phone or external id) and of CreateIdentity
	// give model.ErrConflict; an unknown ExtIdp model.ErrNotFound.
	CreateUserWithIdentity(ctx context.Context, u *model.User, i *model.Identity) error
	// FindIdentity returns the identity linking the upstream account
	// subject at the ExtIdp extIdpID.
	FindIdentity(ctx context.Context, extIdpID, subject string) (*model.Identity, error)
	// ListIdentities returns the user's identities, oldest first.
	ListIdentities(ctx context.Context, userID string) ([]*model.Identity, error)
	// UpdateIdentity replaces the ConnID, Profile, SealedTokens and
	// UpdatedAt of the stored identity i.ID; a missing one gives
	// model.ErrNotFound.
	UpdateIdentity(ctx context.Context, i *model.Identity) error
	// DeleteIdentity removes the user's identity at the ExtIdp extIdpID; a
	// user without one gives model.ErrNotFound. With keepOne, the user's
	// last identity stays (model.ErrConflict), decided atomically with
	// other removals.
	DeleteIdentity(ctx context.Context, userID, extIdpID string, keepOne bool) error
}

// Users reads the accounts identities link to (users.Store's methods).
type Users interface {
	GetUser(ctx context.Context, id string) (*model.User, error)
	FindUser(ctx context.Context, field store.UserField, value string) (*model.User, error)
}

// Factors lists a user's second factors (mfa.Store's ListFactors): a
// passkey is a way to sign in that Unlink counts.
type Factors interface {
	ListFactors(ctx context.Context, userID string) ([]*model.Factor, error)
}
