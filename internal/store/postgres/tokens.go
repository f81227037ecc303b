package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
)

const tokenColumns = `hash, id, kind, grant_id, parent_id, client_id, user_id, scope, protocol,
	issued_at, expires_at, revoked_at, used_at`

// tokenValues are t's column values in tokenColumns order.
func tokenValues(t *model.Token) []any {
	return []any{t.Hash, nullIfEmpty(t.ID), t.Kind, t.GrantID, nullIfEmpty(t.ParentID), t.ClientID, t.UserID,
		t.Scope, t.Protocol, t.IssuedAt, t.ExpiresAt, nullTime(t.RevokedAt), nullTime(t.UsedAt)}
}

// CreateTokens stores tokens in one transaction: all or none.
func (s *Store) CreateTokens(ctx context.Context, tokens ...*model.Token) error {
	if len(tokens) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error { return insertTokens(ctx, tx, tokens) })
	return mapErr("create tokens", err)
}

// insertTokens queues one INSERT per token in a single round trip.
func insertTokens(ctx context.Context, tx pgx.Tx, tokens []*model.Token) error {
	if len(tokens) == 0 {
		return nil
	}
	var b pgx.Batch
	for _, t := range tokens {
		b.Queue(`INSERT INTO tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			tokenValues(t)...)
	}
	return tx.SendBatch(ctx, &b).Close()
}

// GetToken returns the token with this hash, active or not: one primary-key lookup.
func (s *Store) GetToken(ctx context.Context, hash string) (*model.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
	if err != nil {
		return nil, mapErr("get token", err)
	}
	return t, nil
}

// RefreshTokens stores issued if the refresh token with refreshID is active at
// now. The check takes a share lock on the parent row that lasts until
// commit: a concurrent RevokeToken, which locks the row for update, runs
// either before (this call then sees the revocation: genauth.ErrInactive) or
// after the commit (and its cascade then sees and revokes the new tokens).
func (s *Store) RefreshTokens(ctx context.Context, refreshID string, now time.Time, issued []*model.Token) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var (
			expires time.Time
			revoked *time.Time
		)
		err := tx.QueryRow(ctx, `SELECT expires_at, revoked_at FROM tokens WHERE id = $1 FOR SHARE`, refreshID).
			Scan(&expires, &revoked)
		if err != nil {
			return err
		}
		if revoked != nil || !now.Before(expires) {
			return model.ErrInactive
		}
		return insertTokens(ctx, tx, issued)
	})
	return mapErr("refresh tokens", err)
}

// RecordTokenUse records the first use of an access token a rotation issued
// (see oauth.TokenStore). A retry holding the token's row lock makes it wait, and
// then the token is revoked and nothing is recorded.
func (s *Store) RecordTokenUse(ctx context.Context, hash string, now time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE tokens a SET used_at = $2
		WHERE a.hash = $1 AND a.kind = $3 AND a.used_at IS NULL AND a.revoked_at IS NULL
			AND EXISTS (SELECT 1 FROM tokens r WHERE r.id = a.parent_id AND r.parent_id IS NOT NULL)`,
		hash, now, model.TokenAccess)
	return mapErr("record token use", err)
}

// RevokeToken revokes the token with this hash and, for a refresh token,
// every unrevoked token of its grant (RFC 7009 section 2.1), and returns the
// token as it was before. The row lock taken first orders it against
// concurrent refreshes and revocations.
func (s *Store) RevokeToken(ctx context.Context, hash string, now time.Time) (*model.Token, error) {
	var found *model.Token
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		t, err := scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1 FOR UPDATE`, hash))
		if err != nil {
			return err
		}
		found = t
		if t.RevokedAt.IsZero() {
			if _, err := tx.Exec(ctx, `UPDATE tokens SET revoked_at = $2 WHERE hash = $1`, hash, now); err != nil {
				return err
			}
		}
		if t.Kind != model.TokenRefresh {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL`,
			t.GrantID, now)
		return err
	})
	if err != nil {
		return nil, mapErr("revoke token", err)
	}
	return found, nil
}

func scanToken(r pgx.Row) (*model.Token, error) {
	var (
		t          model.Token
		id, parent *string
		revoked    *time.Time
		used       *time.Time
	)
	err := r.Scan(&t.Hash, &id, &t.Kind, &t.GrantID, &parent, &t.ClientID, &t.UserID, &t.Scope, &t.Protocol,
		&t.IssuedAt, &t.ExpiresAt, &revoked, &used)
	if err != nil {
		return nil, err
	}
	t.ID, t.ParentID = fromNull(id), fromNull(parent)
	t.IssuedAt, t.ExpiresAt, t.RevokedAt = utc(t.IssuedAt), utc(t.ExpiresAt), fromNullTime(revoked)
	t.UsedAt = fromNullTime(used)
	return &t, nil
}
