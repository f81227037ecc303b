package admins

import (
	"context"
	"time"
)

// Store keeps the users' roles and the first-administrator link.
type Store interface {
	// GrantRole gives the user role; granting a role the user holds
	// changes nothing. An unknown user gives model.ErrNotFound.
	GrantRole(ctx context.Context, userID, role string, now time.Time) error
	// RevokeRole takes role from the user; one who does not hold it gives
	// model.ErrNotFound. Taking model.RoleAdmin from the only administrator
	// gives model.ErrConflict, decided in the transaction, so that of two
	// revocations at once that would leave none, one is refused.
	RevokeRole(ctx context.Context, userID, role string) error
	// HasRole reports whether the user holds role.
	HasRole(ctx context.Context, userID, role string) (bool, error)
	// CountRole returns how many users hold role.
	CountRole(ctx context.Context, role string) (int, error)
	// ListRole returns the ids of the users holding role, oldest grant
	// first (ties by id), at most 1000.
	ListRole(ctx context.Context, role string) ([]string, error)
	// SetBootstrap stores the first-administrator link's token hash, good
	// until expires, replacing any earlier one.
	SetBootstrap(ctx context.Context, tokenHash string, expires, now time.Time) error
	// ClaimFirstAdmin, atomically, checks that tokenHash is the stored
	// link's and unexpired at now and that no user holds model.RoleAdmin,
	// gives the user that role and forgets the link. A wrong, expired or
	// used token (or an unknown user) gives model.ErrNotFound, an existing
	// administrator model.ErrConflict. Of concurrent claims one wins.
	ClaimFirstAdmin(ctx context.Context, tokenHash, userID string, now time.Time) error
}
