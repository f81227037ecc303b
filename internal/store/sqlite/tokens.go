package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const tokenColumns = `hash, id, kind, grant_id, parent_id, client_id, user_id, scope, protocol,
	issued_at, expires_at, revoked_at, used_at`

// CreateTokens stores tokens in one transaction: all or none.
func (s *Store) CreateTokens(ctx context.Context, tokens ...*model.Token) error {
	if len(tokens) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.insertTokens(ctx, tx, tokens) })
	return mapErr("create tokens", err)
}

func (s *Store) insertTokens(ctx context.Context, tx *sql.Tx, tokens []*model.Token) error {
	if len(tokens) == 0 {
		return nil
	}
	stmt, err := s.txStmt(ctx, tx, `INSERT INTO tokens (`+tokenColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		_, err := stmt.ExecContext(quick(ctx), t.Hash, nullIfEmpty(t.ID), t.Kind, t.GrantID, nullIfEmpty(t.ParentID),
			t.ClientID, t.UserID, t.Scope, t.Protocol, toMS(t.IssuedAt), toMS(t.ExpiresAt), toNullMS(t.RevokedAt), toNullMS(t.UsedAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// GetToken returns the token with this hash, active or not: one primary-key lookup.
func (s *Store) GetToken(ctx context.Context, hash string) (*model.Token, error) {
	t, err := scanToken(s.readRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
	if err != nil {
		return nil, mapErr("get token", err)
	}
	return t, nil
}

// RefreshTokens stores issued if the refresh token with refreshID is active at
// now. The check and the insert share one immediate transaction, so a
// concurrent RevokeToken comes either before (genauth.ErrInactive) or after
// (and then revokes the new children too).
func (s *Store) RefreshTokens(ctx context.Context, refreshID string, now time.Time, issued []*model.Token) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var (
			expires int64
			revoked sql.NullInt64
		)
		err := s.txRow(ctx, tx, `SELECT expires_at, revoked_at FROM tokens WHERE id = ?`, refreshID).
			Scan(&expires, &revoked)
		if err != nil {
			return err
		}
		if revoked.Valid || expires <= toMS(now) {
			return model.ErrInactive
		}
		return s.insertTokens(ctx, tx, issued)
	})
	return mapErr("refresh tokens", err)
}

// recordUseWhere selects the access token with this hash if a rotation
// issued it and its first use is still to be recorded.
const recordUseWhere = `hash = ? AND kind = ? AND used_at IS NULL AND revoked_at IS NULL
	AND EXISTS (SELECT 1 FROM tokens r WHERE r.id = tokens.parent_id AND r.parent_id IS NOT NULL)`

// RecordTokenUse records the first use of an access token a rotation issued
// (see oauth.TokenStore). The read pool answers first, so that the common case,
// nothing to record, takes no write lock.
func (s *Store) RecordTokenUse(ctx context.Context, hash string, now time.Time) error {
	var due int
	if err := s.readRow(ctx, `SELECT count(*) FROM tokens WHERE `+recordUseWhere, hash, model.TokenAccess).Scan(&due); err != nil {
		return mapErr("record token use", err)
	}
	if due == 0 {
		return nil
	}
	_, err := s.writeExec(ctx, `UPDATE tokens SET used_at = ? WHERE `+recordUseWhere, toMS(now), hash, model.TokenAccess)
	return mapErr("record token use", err)
}

// RevokeToken revokes the token with this hash and, for a refresh token,
// every unrevoked token of its grant (RFC 7009 section 2.1), and returns the
// token as it was before.
func (s *Store) RevokeToken(ctx context.Context, hash string, now time.Time) (*model.Token, error) {
	var found *model.Token
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		t, err := scanToken(s.txRow(ctx, tx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
		if err != nil {
			return err
		}
		found = t
		if t.RevokedAt.IsZero() {
			if _, err := s.txExec(ctx, tx, `UPDATE tokens SET revoked_at = ? WHERE hash = ?`, toMS(now), hash); err != nil {
				return err
			}
		}
		if t.Kind != model.TokenRefresh {
			return nil
		}
		_, err = s.txExec(ctx, tx, `UPDATE tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL`,
			toMS(now), t.GrantID)
		return err
	})
	if err != nil {
		return nil, mapErr("revoke token", err)
	}
	return found, nil
}

func scanToken(r scanner) (*model.Token, error) {
	var (
		t               model.Token
		id, parent      sql.NullString
		issued, expires int64
		revoked, used   sql.NullInt64
	)
	err := r.Scan(&t.Hash, &id, &t.Kind, &t.GrantID, &parent, &t.ClientID, &t.UserID, &t.Scope, &t.Protocol,
		&issued, &expires, &revoked, &used)
	if err != nil {
		return nil, err
	}
	t.ID, t.ParentID = id.String, parent.String
	t.IssuedAt, t.ExpiresAt, t.RevokedAt = fromMS(issued), fromMS(expires), fromNullMS(revoked)
	t.UsedAt = fromNullMS(used)
	return &t, nil
}
