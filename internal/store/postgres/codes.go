package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
)

const codeColumns = `hash, grant_id, client_id, user_id, redirect_uri, scope, protocol, nonce,
	code_challenge, code_challenge_method, session_id_hash, auth_time, created_at, expires_at, redeemed_at`

// codeValues are c's column values in codeColumns order.
func codeValues(c *model.AuthCode, redeemedAt time.Time) []any {
	return []any{c.Hash, c.GrantID, c.ClientID, c.UserID, c.RedirectURI, c.Scope, c.Protocol, c.Nonce,
		c.CodeChallenge, c.CodeChallengeMethod, c.SessionIDHash, c.AuthTime, c.CreatedAt, c.ExpiresAt,
		nullTime(redeemedAt)}
}

// CreateAuthCode stores c; a taken hash gives genauth.ErrConflict.
func (s *Store) CreateAuthCode(ctx context.Context, c *model.AuthCode) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO auth_codes (`+codeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, codeValues(c, time.Time{})...)
	return mapErr("create authorization code", err)
}

// GetAuthCode returns the code with this hash if it is unredeemed and
// unexpired at now. A redeemed code gives genauth.ErrCodeRedeemed, even once
// it has expired.
func (s *Store) GetAuthCode(ctx context.Context, hash string, now time.Time) (*model.AuthCode, error) {
	c, redeemed, err := scanCode(s.pool.QueryRow(ctx, `SELECT `+codeColumns+` FROM auth_codes WHERE hash = $1`, hash))
	if err != nil {
		return nil, mapErr("get authorization code", err)
	}
	if !redeemed.IsZero() {
		return nil, model.ErrCodeRedeemed
	}
	if !now.Before(c.ExpiresAt) {
		return nil, model.ErrNotFound
	}
	return c, nil
}

func scanCode(r pgx.Row) (*model.AuthCode, time.Time, error) {
	var (
		c        model.AuthCode
		redeemed *time.Time
	)
	err := r.Scan(&c.Hash, &c.GrantID, &c.ClientID, &c.UserID, &c.RedirectURI, &c.Scope, &c.Protocol, &c.Nonce,
		&c.CodeChallenge, &c.CodeChallengeMethod, &c.SessionIDHash, &c.AuthTime, &c.CreatedAt, &c.ExpiresAt,
		&redeemed)
	if err != nil {
		return nil, time.Time{}, err
	}
	c.AuthTime, c.CreatedAt, c.ExpiresAt = utc(c.AuthTime), utc(c.CreatedAt), utc(c.ExpiresAt)
	return &c, fromNullTime(redeemed), nil
}

// RedeemAuthCode marks the code redeemed and stores issued, in one
// transaction. The conditional UPDATE is the arbiter: of concurrent callers
// one updates the row, the others wait for its row lock, re-check the
// condition against the committed row and update nothing. A code redeemed
// before revokes its grant's tokens (that revocation is committed) and gives
// genauth.ErrCodeRedeemed; an expired or unknown code gives
// genauth.ErrNotFound and changes nothing.
func (s *Store) RedeemAuthCode(ctx context.Context, hash string, now time.Time, issued []*model.Token) error {
	var errRedeemed error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE auth_codes SET redeemed_at = $2
			WHERE hash = $1 AND redeemed_at IS NULL AND expires_at > $2`, hash, now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return insertTokens(ctx, tx, issued)
		}
		var (
			grantID  string
			redeemed *time.Time
		)
		err = tx.QueryRow(ctx, `SELECT grant_id, redeemed_at FROM auth_codes WHERE hash = $1`, hash).
			Scan(&grantID, &redeemed)
		if err != nil {
			return err // pgx.ErrNoRows: an unknown code
		}
		if redeemed == nil {
			return model.ErrNotFound // expired
		}
		// A replayed code: the code may have been stolen, so its grant ends.
		// Locking the grant's refresh tokens first waits for refreshes in
		// flight (they hold share locks) and blocks new ones, so the UPDATE,
		// a later statement with a fresh snapshot, sees every token they
		// issued. Sorted, so that two replays lock in the same order.
		errRedeemed = model.ErrCodeRedeemed
		if _, err := tx.Exec(ctx, `SELECT 1 FROM tokens WHERE grant_id = $1 AND kind = $2 ORDER BY hash FOR UPDATE`,
			grantID, model.TokenRefresh); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL`,
			grantID, now)
		return err
	})
	if err != nil {
		return mapErr("redeem authorization code", err)
	}
	return errRedeemed
}
