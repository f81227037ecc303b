package idtoken

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// KeyStore keeps the signing keys, their private halves sealed.
type KeyStore interface {
	// CreateSigningKey stores a new id-token signing key; a taken id gives model.ErrConflict.
	CreateSigningKey(ctx context.Context, k *model.SigningKey) error
	// ListSigningKeys returns every signing key ordered by ActivatesAt, then CreatedAt.
	ListSigningKeys(ctx context.Context) ([]*model.SigningKey, error)
	// ActivateSigningKey moves a key's ActivatesAt (used to promote the next key early).
	ActivateSigningKey(ctx context.Context, id string, at time.Time) error
	// DeleteSigningKey removes a key; deleting a missing one is not an error.
	DeleteSigningKey(ctx context.Context, id string) error
	// SigningNeeds reports what the applications ask of the keys: whether
	// any signs id tokens with ES256, and the longest JWT access token life.
	SigningNeeds(ctx context.Context) (model.SigningNeeds, error)
}
