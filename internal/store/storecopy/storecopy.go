package storecopy

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/opengenauth/genauth"
)

// AuthCode is a stored authorization code with what the domain type leaves
// out: when it was redeemed (zero: not yet), so that a replay after the move
// is still recognised.
type AuthCode struct {
	genauth.AuthCode
	RedeemedAt time.Time
}

// Source yields every row of a store, one table at a time. Each sequence
// stops at the first error, which it yields.
type Source interface {
	Applications(ctx context.Context) iter.Seq2[*genauth.Application, error]
	Users(ctx context.Context) iter.Seq2[*genauth.User, error]
	Sessions(ctx context.Context) iter.Seq2[*genauth.Session, error]
	AuthCodes(ctx context.Context) iter.Seq2[*AuthCode, error]
	Tokens(ctx context.Context) iter.Seq2[*genauth.Token, error]
	SigningKeys(ctx context.Context) iter.Seq2[*genauth.SigningKey, error]
	Consents(ctx context.Context) iter.Seq2[*genauth.Consent, error]
}

// ErrNotEmpty means the target of a copy already holds data.
var ErrNotEmpty = errors.New("the target database is not empty")

// Counts says how many rows of each kind were copied.
type Counts struct {
	Applications, Users, Sessions, AuthCodes, Tokens, SigningKeys, Consents int64
}

func (c Counts) String() string {
	return fmt.Sprintf("%d applications, %d users, %d sessions, %d authorization codes, %d tokens, %d signing keys, %d consents",
		c.Applications, c.Users, c.Sessions, c.AuthCodes, c.Tokens, c.SigningKeys, c.Consents)
}
