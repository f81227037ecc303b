package server

import (
	"context"

	"github.com/opengenauth/genauth/internal/account/admins"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/outbox"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/authn"
	"github.com/opengenauth/genauth/internal/api/management"
	"github.com/opengenauth/genauth/internal/console"
	"github.com/opengenauth/genauth/internal/pages"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"github.com/opengenauth/genauth/internal/protocol/oauth"
	"github.com/opengenauth/genauth/internal/protocol/oidc"
)

// Store is what the server's parts keep: the union of the interfaces each
// part declares for its own storage, and nothing else. New hands each part
// only its own. Both backends implement it (storetest asserts so); a new
// part with a store interface joins here.
type Store interface {
	Prober
	oauth.TokenStore
	oauth.ConsentStore
	oauth.Apps
	oauth.Users
	oidc.Apps
	pages.Store
	management.Store
	authn.PasswordKeyStore
	apps.Store
	users.Store
	sessions.Store
	throttle.Store
	audit.Store
	outbox.Store
	passcode.Store
	mfa.Store
	idp.Store
	admins.Store
	idtoken.KeyStore
	console.Store
}

// Prober is what /readyz and the health tracker's probe ask the database.
type Prober interface {
	// Ping reports whether the backend can serve requests.
	Ping(ctx context.Context) error
	// CheckWrite commits a write that leaves nothing behind, to learn
	// whether the database takes writes again: one whose disk is full or
	// that is read-only still answers Ping and reads.
	CheckWrite(ctx context.Context) error
}
