package management

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Store is what the management API keeps itself: its access key and the
// nonces of the requests it accepted. Users and applications it changes
// through their services.
type Store interface {
	AccessKeyStore
	// UseNonce records a request signature nonce until expires. A nonce
	// already recorded and not expired at now gives model.ErrConflict;
	// of two concurrent calls exactly one succeeds. Expired nonces are
	// deleted along the way.
	UseNonce(ctx context.Context, nonce string, now, expires time.Time) error
}

// AccessKeyStore keeps the user pool's access key, its secret sealed.
type AccessKeyStore interface {
	// CreateAccessKey stores the user pool's access key; there is at most
	// one, so a second gives model.ErrConflict.
	CreateAccessKey(ctx context.Context, k *model.AccessKey) error
	// GetAccessKey returns the access key, or model.ErrNotFound when none was made yet.
	GetAccessKey(ctx context.Context) (*model.AccessKey, error)
	// UpdateAccessKeySecret replaces the sealed secret of the access key id.
	UpdateAccessKeySecret(ctx context.Context, id string, sealed []byte, now time.Time) error
}
