package mfa

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Store keeps users' factors and recovery codes.
type Store interface {
	// CreateFactor stores f; a taken id, a second factor of a kind the user
	// has (passkeys excepted) or a taken credential id gives
	// model.ErrConflict.
	CreateFactor(ctx context.Context, f *model.Factor) error
	// ListFactors returns the user's factors, oldest first.
	ListFactors(ctx context.Context, userID string) ([]*model.Factor, error)
	// GetFactor returns the factor with this id, or model.ErrNotFound.
	GetFactor(ctx context.Context, id string) (*model.Factor, error)
	// FactorByCredential returns the passkey with this credential id, or
	// model.ErrNotFound.
	FactorByCredential(ctx context.Context, credentialID string) (*model.Factor, error)
	// AdvanceFactor records a use of factor id at usedAt with counter only
	// when counter is above the stored one (or both are 0: a passkey
	// without a signature counter), atomically: of two uses with
	// the same counter one succeeds and the other gets model.ErrWrongCode.
	// An unknown factor gives model.ErrNotFound.
	AdvanceFactor(ctx context.Context, id string, counter int64, usedAt time.Time) error
	// DeleteFactor removes the user's factor id; model.ErrNotFound when the
	// user has no such factor.
	DeleteFactor(ctx context.Context, userID, id string) error
	// ResetFactors removes every factor and recovery code of the user at once
	// and says how many factors there were.
	ResetFactors(ctx context.Context, userID string) (int, error)
	// ReplaceRecoveryCodes makes hashes the user's recovery codes, deleting
	// the earlier ones in the same transaction.
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string, now time.Time) error
	// UseRecoveryCode marks the user's unused code with this hash used,
	// atomically: of concurrent uses one succeeds; any other outcome is
	// model.ErrWrongCode.
	UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error
	// CountRecoveryCodes says how many of the user's recovery codes are
	// unused.
	CountRecoveryCodes(ctx context.Context, userID string) (int, error)
	// GetSetting returns the installation setting key, or
	// model.ErrNotFound when it was never set; PutSetting sets it.
	GetSetting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string, now time.Time) error
}
