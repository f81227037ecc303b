package management

import (
	"context"
	"errors"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// SealPurpose is what the access key secret is sealed under (see secret.Sealer).
const SealPurpose = "management access key"

// Credentials are the user pool's access key id and secret in clear.
type Credentials struct {
	ID     string // access key id, also the user pool id
	Secret string
}

// Keys creates, reads and rotates the user pool's access key.
type Keys struct {
	Store  AccessKeyStore
	Sealer *secret.Sealer
	Tokens *token.Source
	Now    func() time.Time
}

// Ensure returns the access key, creating it when there is none. Nodes
// starting together agree on one: the store keeps at most one key.
func (k *Keys) Ensure(ctx context.Context) (*Credentials, error) {
	c, err := k.Load(ctx)
	if !errors.Is(err, model.ErrNotFound) {
		return c, err
	}
	secretValue := k.Tokens.Secret()
	sealed, err := k.Sealer.Seal(SealPurpose, []byte(secretValue))
	if err != nil {
		return nil, err
	}
	now := k.Now().UTC()
	key := &model.AccessKey{ID: k.Tokens.ID(), SealedSecret: sealed, CreatedAt: now, UpdatedAt: now}
	switch err := k.Store.CreateAccessKey(ctx, key); {
	case errors.Is(err, model.ErrConflict):
		return k.Load(ctx) // another node was first
	case err != nil:
		return nil, err
	}
	return &Credentials{ID: key.ID, Secret: secretValue}, nil
}

// Load returns the access key; model.ErrNotFound when none was made yet.
func (k *Keys) Load(ctx context.Context) (*Credentials, error) {
	key, err := k.Store.GetAccessKey(ctx)
	if err != nil {
		return nil, err
	}
	plain, err := k.Sealer.Open(SealPurpose, key.SealedSecret)
	if err != nil {
		return nil, err
	}
	return &Credentials{ID: key.ID, Secret: string(plain)}, nil
}

// Rotate replaces the secret (the id stays) and returns the new credentials.
// Signatures and management tokens made with the old secret stop working at once.
func (k *Keys) Rotate(ctx context.Context) (*Credentials, error) {
	c, err := k.Ensure(ctx)
	if err != nil {
		return nil, err
	}
	secretValue := k.Tokens.Secret()
	sealed, err := k.Sealer.Seal(SealPurpose, []byte(secretValue))
	if err != nil {
		return nil, err
	}
	if err := k.Store.UpdateAccessKeySecret(ctx, c.ID, sealed, k.Now().UTC()); err != nil {
		return nil, err
	}
	return &Credentials{ID: c.ID, Secret: secretValue}, nil
}
