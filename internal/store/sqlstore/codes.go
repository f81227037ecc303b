package sqlstore

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const codeColumns = `hash, grant_id, client_id, user_id, redirect_uri, scope, protocol, nonce,
	code_challenge, code_challenge_method, session_id_hash, auth_time, created_at, expires_at, amr, acr, redeemed_at`

// CreateAuthCode stores c; a taken hash gives model.ErrConflict.
func (s *Store) CreateAuthCode(ctx context.Context, c *model.AuthCode) error {
	err := s.groupExec(ctx, `INSERT INTO auth_codes (`+codeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULL)`, s.codeValues(c)...)
	return s.e.Err("create authorization code", err)
}

// codeValues are c's column values in codeColumns order, up to redeemed_at.
func (s *Store) codeValues(c *model.AuthCode) []any {
	return []any{c.Hash, c.GrantID, c.ClientID, c.UserID, c.RedirectURI, c.Scope, c.Protocol, c.Nonce,
		c.CodeChallenge, c.CodeChallengeMethod, c.SessionIDHash, s.tv(c.AuthTime), s.tv(c.CreatedAt), s.tv(c.ExpiresAt),
		s.e.List(c.AMR), c.ACR}
}

// GetAuthCode returns the code with this hash if it is unredeemed and
// unexpired at now. A redeemed code gives model.ErrCodeRedeemed, even once
// it has expired.
func (s *Store) GetAuthCode(ctx context.Context, hash string, now time.Time) (*model.AuthCode, error) {
	c, redeemed, err := s.scanCode(s.e.Reader().QueryRow(ctx, `SELECT `+codeColumns+` FROM auth_codes WHERE hash = $1`, hash))
	if err != nil {
		return nil, s.e.Err("get authorization code", err)
	}
	if !redeemed.IsZero() {
		return nil, model.ErrCodeRedeemed
	}
	if !now.Before(c.ExpiresAt) {
		return nil, model.ErrNotFound
	}
	return &c, nil
}

// scanCode reads a code's codeColumns and when it was redeemed (zero: not yet).
func (s *Store) scanCode(r Row) (c model.AuthCode, redeemed time.Time, err error) {
	err = r.Scan(&c.Hash, &c.GrantID, &c.ClientID, &c.UserID, &c.RedirectURI, &c.Scope, &c.Protocol, &c.Nonce,
		&c.CodeChallenge, &c.CodeChallengeMethod, &c.SessionIDHash, td(&c.AuthTime), td(&c.CreatedAt),
		td(&c.ExpiresAt), s.e.ListDest(&c.AMR), &c.ACR, td(&redeemed))
	c.AMR = nilIfEmpty(c.AMR)
	return c, redeemed, err
}

// RedeemAuthCode marks the code redeemed and stores issued, in one
// transaction. The conditional UPDATE is the arbiter: of concurrent callers
// one updates the row, the others wait for its row lock (on SQLite, for the
// write lock), re-check the condition against the committed row and update
// nothing. A code redeemed before revokes its grant's tokens (that
// revocation is committed) and gives model.ErrCodeRedeemed; an expired or
// unknown code gives model.ErrNotFound and changes nothing.
func (s *Store) RedeemAuthCode(ctx context.Context, hash string, now time.Time, issued []*model.Token) error {
	var errRedeemed error
	err := s.groupTx(ctx, func(c Conn) error {
		n, err := c.Exec(ctx, `UPDATE auth_codes SET redeemed_at = $2
			WHERE hash = $1 AND redeemed_at IS NULL AND expires_at > $2`, hash, s.tv(now))
		if err != nil {
			return err
		}
		if n == 1 {
			return s.insertTokens(ctx, c, issued)
		}
		var (
			grantID  string
			redeemed time.Time
		)
		err = c.QueryRow(ctx, `SELECT grant_id, redeemed_at FROM auth_codes WHERE hash = $1`, hash).
			Scan(&grantID, td(&redeemed))
		if err != nil {
			return err // no rows: an unknown code
		}
		if redeemed.IsZero() {
			return model.ErrNotFound // expired
		}
		// A replayed code: the code may have been stolen, so its grant ends.
		// Locking the grant's refresh tokens first waits for refreshes in
		// flight (they hold share locks) and blocks new ones, so the UPDATE,
		// a later statement with a fresh snapshot, sees every token they
		// issued. Sorted, so that two replays lock in the same order.
		errRedeemed = model.ErrCodeRedeemed
		if _, err := c.Exec(ctx, `SELECT 1 FROM tokens WHERE grant_id = $1 AND kind = $2 ORDER BY hash FOR UPDATE`,
			grantID, model.TokenRefresh); err != nil {
			return err
		}
		_, err = c.Exec(ctx, `UPDATE tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL`,
			grantID, s.tv(now))
		return err
	})
	if err != nil {
		return s.e.Err("redeem authorization code", err)
	}
	return errRedeemed
}
