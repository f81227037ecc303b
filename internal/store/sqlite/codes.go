package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// CreateAuthCode stores c; a taken hash gives genauth.ErrConflict.
func (s *Store) CreateAuthCode(ctx context.Context, c *model.AuthCode) error {
	_, err := s.writeExec(ctx, `INSERT INTO auth_codes (hash, grant_id, client_id, user_id,
		redirect_uri, scope, protocol, nonce, code_challenge, code_challenge_method, session_id_hash,
		auth_time, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Hash, c.GrantID, c.ClientID, c.UserID, c.RedirectURI, c.Scope, c.Protocol, c.Nonce,
		c.CodeChallenge, c.CodeChallengeMethod, c.SessionIDHash,
		toMS(c.AuthTime), toMS(c.CreatedAt), toMS(c.ExpiresAt))
	return mapErr("create authorization code", err)
}

// GetAuthCode returns the code with this hash if it is unredeemed and
// unexpired at now. A redeemed code gives genauth.ErrCodeRedeemed, even once
// it has expired.
func (s *Store) GetAuthCode(ctx context.Context, hash string, now time.Time) (*model.AuthCode, error) {
	var (
		c                          model.AuthCode
		authTime, created, expires int64
		redeemed                   sql.NullInt64
	)
	err := s.readRow(ctx, `SELECT hash, grant_id, client_id, user_id, redirect_uri, scope,
		protocol, nonce, code_challenge, code_challenge_method, session_id_hash,
		auth_time, created_at, expires_at, redeemed_at FROM auth_codes WHERE hash = ?`, hash).
		Scan(&c.Hash, &c.GrantID, &c.ClientID, &c.UserID, &c.RedirectURI, &c.Scope,
			&c.Protocol, &c.Nonce, &c.CodeChallenge, &c.CodeChallengeMethod, &c.SessionIDHash,
			&authTime, &created, &expires, &redeemed)
	if err != nil {
		return nil, mapErr("get authorization code", err)
	}
	if redeemed.Valid {
		return nil, model.ErrCodeRedeemed
	}
	if expires <= toMS(now) {
		return nil, model.ErrNotFound
	}
	c.AuthTime, c.CreatedAt, c.ExpiresAt = fromMS(authTime), fromMS(created), fromMS(expires)
	return &c, nil
}

// RedeemAuthCode marks the code redeemed and stores issued, in one
// transaction. A code redeemed before revokes its grant's tokens (and that
// revocation is committed) and gives genauth.ErrCodeRedeemed; an expired or
// unknown code gives genauth.ErrNotFound and changes nothing.
func (s *Store) RedeemAuthCode(ctx context.Context, hash string, now time.Time, issued []*model.Token) error {
	var errRedeemed error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, `UPDATE auth_codes SET redeemed_at = ?
			WHERE hash = ? AND redeemed_at IS NULL AND expires_at > ?`, toMS(now), hash, toMS(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 1 {
			return s.insertTokens(ctx, tx, issued)
		}
		var (
			grantID  string
			redeemed sql.NullInt64
		)
		err = s.txRow(ctx, tx, `SELECT grant_id, redeemed_at FROM auth_codes WHERE hash = ?`, hash).
			Scan(&grantID, &redeemed)
		if err != nil {
			return err // sql.ErrNoRows: an unknown code
		}
		if !redeemed.Valid {
			return model.ErrNotFound // expired
		}
		// A replayed code: the code may have been stolen, so its grant ends.
		// Returning nil commits the revocation.
		errRedeemed = model.ErrCodeRedeemed
		_, err = s.txExec(ctx, tx, `UPDATE tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL`,
			toMS(now), grantID)
		return err
	})
	if err != nil {
		return mapErr("redeem authorization code", err)
	}
	return errRedeemed
}
