package storecopy

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// AuthCode is a stored authorization code with what the domain type leaves
// out: when it was redeemed (zero: not yet), so that a replay after the move
// is still recognised.
type AuthCode struct {
	model.AuthCode
	RedeemedAt time.Time
}

// Token is a stored token with when rotation retired it (zero: never), so
// that presenting a rotated refresh token after the move is still seen as reuse.
type Token struct {
	model.Token
	RotatedAt time.Time
}

// Source yields every row of a store, one table at a time. Each sequence
// stops at the first error, which it yields.
type Source interface {
	Applications(ctx context.Context) iter.Seq2[*model.Application, error]
	Users(ctx context.Context) iter.Seq2[*model.User, error]
	Sessions(ctx context.Context) iter.Seq2[*model.Session, error]
	AuthCodes(ctx context.Context) iter.Seq2[*AuthCode, error]
	Tokens(ctx context.Context) iter.Seq2[*Token, error]
	SigningKeys(ctx context.Context) iter.Seq2[*model.SigningKey, error]
	Consents(ctx context.Context) iter.Seq2[*model.Consent, error]
	AccessKeys(ctx context.Context) iter.Seq2[*model.AccessKey, error]
	PasswordKeys(ctx context.Context) iter.Seq2[*model.PasswordKey, error]
	Logins(ctx context.Context) iter.Seq2[*model.LoginRecord, error]
	Nonces(ctx context.Context) iter.Seq2[*Nonce, error]
	Throttles(ctx context.Context) iter.Seq2[*model.Throttle, error]
	AuditEvents(ctx context.Context) iter.Seq2[*model.AuditEvent, error]
	Outbox(ctx context.Context) iter.Seq2[*model.OutboxMessage, error]
	Passcodes(ctx context.Context) iter.Seq2[*model.Passcode, error]
	Factors(ctx context.Context) iter.Seq2[*model.Factor, error]
	RecoveryCodes(ctx context.Context) iter.Seq2[*RecoveryCode, error]
	Settings(ctx context.Context) iter.Seq2[*Setting, error]
	ExtIdps(ctx context.Context) iter.Seq2[*model.ExtIdp, error]
	ExtIdpConns(ctx context.Context) iter.Seq2[*model.ExtIdpConn, error]
	ConnEnablements(ctx context.Context) iter.Seq2[*ConnEnablement, error]
	Identities(ctx context.Context) iter.Seq2[*model.Identity, error]
	Roles(ctx context.Context) iter.Seq2[*Role, error]
}

// Role is a role a user holds.
type Role struct {
	UserID, Role string
	GrantedAt    time.Time
}

// ConnEnablement is an application's enabling of an upstream connection.
type ConnEnablement struct{ AppID, ConnID string }

// Setting is one of the installation's settings.
type Setting struct {
	Key, Value string
	UpdatedAt  time.Time
}

// RecoveryCode is one of a user's MFA recovery codes, by its keyed hash.
type RecoveryCode struct {
	UserID, Hash      string
	CreatedAt, UsedAt time.Time
}

// Nonce is a request signature nonce of the management API, kept until it
// expires so that a replay after the move is still refused.
type Nonce struct {
	Nonce     string
	ExpiresAt time.Time
}

// ErrNotEmpty means the target of a copy already holds data.
var ErrNotEmpty = errors.New("the target database is not empty")

// Counts says how many rows of each kind were copied.
type Counts struct {
	Applications, Users, Sessions, AuthCodes, Tokens, SigningKeys, Consents    int64
	AccessKeys, PasswordKeys, Logins, Nonces, Throttles, AuditEvents, Messages int64
	Passcodes, Factors, RecoveryCodes, Settings                                int64
	ExtIdps, ExtIdpConns, ConnEnablements, Identities, Roles                   int64
}

func (c Counts) String() string {
	s := fmt.Sprintf("%d applications, %d users, %d sessions, %d authorization codes, %d tokens, %d signing keys, %d consents",
		c.Applications, c.Users, c.Sessions, c.AuthCodes, c.Tokens, c.SigningKeys, c.Consents)
	// The management API's rows are named only when there are any.
	for _, x := range []struct {
		n    int64
		what string
	}{{c.AccessKeys, "access keys"}, {c.PasswordKeys, "password keys"}, {c.Logins, "login history entries"},
		{c.Nonces, "signature nonces"}, {c.Throttles, "sign-in throttles"}, {c.AuditEvents, "audit events"},
		{c.Messages, "outbox messages"}, {c.Passcodes, "verification codes"}, {c.Factors, "second factors"},
		{c.RecoveryCodes, "recovery codes"}, {c.Settings, "settings"}, {c.ExtIdps, "identity providers"},
		{c.ExtIdpConns, "identity provider connections"}, {c.ConnEnablements, "enabled connections"},
		{c.Identities, "linked identities"}, {c.Roles, "user roles"}} {
		if x.n > 0 {
			s += fmt.Sprintf(", %d %s", x.n, x.what)
		}
	}
	return s
}
