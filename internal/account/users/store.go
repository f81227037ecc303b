package users

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// Store keeps the users and their login history. Lookups that find nothing
// give model.ErrNotFound; a taken username, email, phone or external id
// gives model.ErrConflict.
type Store interface {
	CreateUser(ctx context.Context, u *model.User) error
	GetUser(ctx context.Context, id string) (*model.User, error)
	// FindUserByLogin finds the user whose username, email or phone equals
	// login as loginid.Normalize compares them (usernames by their RFC 8265
	// form, emails case-insensitively, all trimmed); store.MatchLogin says
	// which user wins when several match.
	FindUserByLogin(ctx context.Context, login string) (*model.User, error)
	// ListUsers returns every user, oldest first.
	ListUsers(ctx context.Context) ([]*model.User, error)
	// UpdateUser replaces the stored user with id u.ID (CreatedAt and the
	// login counters, which only RecordLogin changes, are kept);
	// a missing one gives model.ErrNotFound, a taken unique value
	// model.ErrConflict. With signOut it also, in the same transaction,
	// deletes the user's sessions and unredeemed codes and revokes their
	// tokens at u.UpdatedAt.
	UpdateUser(ctx context.Context, u *model.User, signOut bool) error
	// CreateUsers stores all users or none; a failing entry gives a
	// *store.EntryError wrapping the cause.
	CreateUsers(ctx context.Context, users []*model.User) error
	// DeleteUsers deletes the users and everything they hold (sessions,
	// codes, tokens, consents, login history, second factors, upstream
	// identities, roles) atomically; an unknown id gives
	// a *store.EntryError wrapping model.ErrNotFound and deletes nothing.
	DeleteUsers(ctx context.Context, ids []string) error
	// FindUser finds the user whose field equals value, compared as
	// FindUserByLogin compares that field.
	FindUser(ctx context.Context, field store.UserField, value string) (*model.User, error)
	// QueryUsers returns a page of the users matching q and how many match in all.
	QueryUsers(ctx context.Context, q store.UserQuery) ([]*model.User, int, error)
	// ListUsersPage returns a page of the users q selects and the cursor of
	// the next page ("" after the last page): without a search every user,
	// newest first (CreatedAt, then id, descending); with one, the user whose
	// id it is, then the users whose username, email and phone start with it
	// (compared as FindUser compares them, bytewise), each key's matches in
	// the key's order, a user matching several keys listed once, under the
	// first. Pages cost the same at any depth. A malformed cursor or a Limit
	// outside 1..store.MaxUserPage gives an error wrapping
	// model.ErrInvalidInput. A cursor stays valid while users change: a page
	// lists what follows its position then.
	ListUsersPage(ctx context.Context, q store.UserPage) (users []*model.User, next string, err error)
	// CountUsers returns how many users there are.
	CountUsers(ctx context.Context) (int, error)
	// SignOutUser, atomically, deletes the user's sessions and revokes at now
	// their tokens and deletes their unredeemed codes for the given clients
	// (every client when clientIDs is empty).
	SignOutUser(ctx context.Context, userID string, clientIDs []string, now time.Time) error
	// SetPassword sets the user's password hash and UpdatedAt to now and,
	// atomically, ends their sessions, revokes at now their tokens except
	// the one whose hash is keep ("": none kept) and deletes their
	// unredeemed codes; an unknown user gives model.ErrNotFound.
	SetPassword(ctx context.Context, userID, hash string, now time.Time, keep string) error
	// RecordLogin appends to the user's login history and updates their
	// LoginsCount, LastLogin and LastIP; an unknown user gives model.ErrNotFound.
	RecordLogin(ctx context.Context, rec *model.LoginRecord) error
	// ListLogins returns a page of login history, newest first, and the total.
	ListLogins(ctx context.Context, q store.LoginQuery) ([]*model.LoginRecord, int, error)
	// ActiveClients returns the ids of the clients for which the user holds a
	// token active at now, sorted.
	ActiveClients(ctx context.Context, userID string, now time.Time) ([]string, error)
	// ActiveUsers returns a page of the users, oldest first, holding a token
	// of the client active at now, and how many there are.
	ActiveUsers(ctx context.Context, clientID string, now time.Time, offset, limit int) ([]*model.User, int, error)
	// GetApplication reads the applications a user's tokens name (see apps.Store).
	GetApplication(ctx context.Context, id string) (*model.Application, error)
}
