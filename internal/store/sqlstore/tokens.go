package sqlstore

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const tokenColumns = `hash, id, kind, grant_id, parent_id, client_id, user_id, scope, protocol,
	issued_at, expires_at, revoked_at, used_at, acr`

const insertToken = `INSERT INTO tokens (` + tokenColumns + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`

// CreateTokens stores tokens in one transaction (on SQLite maybe shared with
// concurrent callers, see Grouper; on PostgreSQL one round trip, see
// Batcher): all or none.
func (s *Store) CreateTokens(ctx context.Context, tokens ...*model.Token) error {
	if len(tokens) == 0 {
		return nil
	}
	return s.e.Err("create tokens", s.execAll(ctx, s.tokenInserts(tokens)))
}

// insertTokens stores tokens in c's transaction, in one round trip if c is a
// Batcher.
func (s *Store) insertTokens(ctx context.Context, c Conn, tokens []*model.Token) error {
	return execIn(ctx, c, s.tokenInserts(tokens))
}

// tokenInserts are the statements that store tokens.
func (s *Store) tokenInserts(tokens []*model.Token) []Stmt {
	stmts := make([]Stmt, len(tokens))
	for i, t := range tokens {
		stmts[i] = Stmt{insertToken, s.tokenValues(t)}
	}
	return stmts
}

// tokenValues are t's column values in tokenColumns order.
func (s *Store) tokenValues(t *model.Token) []any {
	return []any{t.Hash, nullIfEmpty(t.ID), t.Kind, t.GrantID, nullIfEmpty(t.ParentID), t.ClientID, t.UserID, t.Scope,
		t.Protocol, s.tv(t.IssuedAt), s.tv(t.ExpiresAt), s.ntv(t.RevokedAt), s.ntv(t.UsedAt), t.ACR}
}

// GetToken returns the token with this hash, active or not: one primary-key lookup.
func (s *Store) GetToken(ctx context.Context, hash string) (*model.Token, error) {
	t, err := scanToken(s.e.Reader().QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
	if err != nil {
		return nil, s.e.Err("get token", err)
	}
	return t, nil
}

// getTokenWithUser reads tokenColumns then userColumns; built once, as the
// statement cache looks queries up by their text.
var getTokenWithUser = `SELECT ` + qualify("t", tokenColumns) + ", " + qualify("u", userColumns) + `
	FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`

// qualify prefixes each of the comma-separated columns with alias.
func qualify(alias, columns string) string {
	list := strings.Split(columns, ",")
	for i, c := range list {
		list[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(list, ", ")
}

// GetTokenWithUser returns the token with this hash, active or not, and its
// user, read together: one query where a handler needs both. The user is nil
// when the token has none or it no longer exists.
func (s *Store) GetTokenWithUser(ctx context.Context, hash string) (*model.Token, *model.User, error) {
	var (
		t model.Token
		d userDest
	)
	err := s.e.Reader().QueryRow(ctx, getTokenWithUser, hash).Scan(append(tokenDest(&t), d.dest()...)...)
	if err = s.e.Err("get token with user", err); errors.Is(err, model.ErrNotFound) {
		// No user to join: a client's token, a deleted user's, or none.
		tok, err := s.GetToken(ctx, hash)
		return tok, nil, err
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := d.user()
	if err != nil {
		return nil, nil, s.e.Err("get token with user", err)
	}
	return &t, u, nil
}

// RefreshTokens stores issued if the refresh token with refreshID is active at
// now, in a transaction maybe shared with concurrent callers (see Grouper).
// The check takes a share lock on the parent row that lasts until commit (on
// SQLite the transaction's write lock): a concurrent RevokeToken, which
// locks the row for update, runs either before (this call then sees the
// revocation: model.ErrInactive) or after the commit (and its cascade then
// sees and revokes the new tokens).
func (s *Store) RefreshTokens(ctx context.Context, refreshID string, now time.Time, issued []*model.Token) error {
	err := s.groupTx(ctx, func(c Conn) error {
		var expires, revoked time.Time
		err := c.QueryRow(ctx, `SELECT expires_at, revoked_at FROM tokens WHERE id = $1 FOR SHARE`, refreshID).
			Scan(td(&expires), td(&revoked))
		if err != nil {
			return err
		}
		if !revoked.IsZero() || !now.Before(expires) {
			return model.ErrInactive
		}
		return s.insertTokens(ctx, c, issued)
	})
	return s.e.Err("refresh tokens", err)
}

// recordUseWhere selects the access token with this hash if a rotation
// issued it and its first use is still to be recorded.
const recordUseWhere = `hash = $1 AND kind = $2 AND used_at IS NULL AND revoked_at IS NULL
	AND EXISTS (SELECT 1 FROM tokens r WHERE r.id = tokens.parent_id AND r.parent_id IS NOT NULL)`

// RecordTokenUse records the first use of an access token a rotation issued
// (see oauth.TokenStore). A read answers first, so that the common case,
// nothing to record, takes no write lock. The update checks again: a retry
// holding the token's row lock makes it wait, and then the token is revoked
// and nothing is recorded.
func (s *Store) RecordTokenUse(ctx context.Context, hash string, now time.Time) error {
	var due int
	if err := s.e.Reader().QueryRow(ctx, `SELECT count(*) FROM tokens WHERE `+recordUseWhere,
		hash, model.TokenAccess).Scan(&due); err != nil {
		return s.e.Err("record token use", err)
	}
	if due == 0 {
		return nil
	}
	_, err := s.e.Writer().Exec(ctx, `UPDATE tokens SET used_at = $3 WHERE `+recordUseWhere,
		hash, model.TokenAccess, s.tv(now))
	return s.e.Err("record token use", err)
}

// RevokeToken revokes the token with this hash and, for a refresh token,
// every unrevoked token of its grant (RFC 7009 section 2.1), and returns the
// token as it was before. The row lock taken first orders it against
// concurrent refreshes and revocations.
func (s *Store) RevokeToken(ctx context.Context, hash string, now time.Time) (*model.Token, error) {
	var found *model.Token
	err := s.e.InTx(ctx, func(c Conn) error {
		t, err := scanToken(c.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1 FOR UPDATE`, hash))
		if err != nil {
			return err
		}
		found = t
		if t.RevokedAt.IsZero() {
			if _, err := c.Exec(ctx, `UPDATE tokens SET revoked_at = $2 WHERE hash = $1`, hash, s.tv(now)); err != nil {
				return err
			}
		}
		if t.Kind != model.TokenRefresh {
			return nil
		}
		_, err = c.Exec(ctx, `UPDATE tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL`,
			t.GrantID, s.tv(now))
		return err
	})
	if err != nil {
		return nil, s.e.Err("revoke token", err)
	}
	return found, nil
}

func scanToken(r Row) (*model.Token, error) {
	var t model.Token
	if err := r.Scan(tokenDest(&t)...); err != nil {
		return nil, err
	}
	return &t, nil
}

// tokenDest receives tokenColumns, alone or before other columns in one row.
func tokenDest(t *model.Token) []any {
	return []any{&t.Hash, nd(&t.ID), &t.Kind, &t.GrantID, nd(&t.ParentID), &t.ClientID, &t.UserID, &t.Scope,
		&t.Protocol, td(&t.IssuedAt), td(&t.ExpiresAt), td(&t.RevokedAt), td(&t.UsedAt), &t.ACR}
}
