package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// bootstrapKey is the setting holding the first-administrator link's token
// hash and expiry, as "<hash> <unix milliseconds>".
const bootstrapKey = "console.bootstrap"

// maxRoleList bounds ListRole.
const maxRoleList = 1000

// GrantRole gives the user role; granting it again changes nothing.
func (s *Store) GrantRole(ctx context.Context, userID, role string, now time.Time) error {
	err := s.e.InTx(ctx, func(c Conn) error { return s.grantRole(ctx, c, userID, role, now) })
	return s.e.Err("grant role", err)
}

// grantRole holds the user (FOR SHARE) so that a deletion at the same time
// cannot leave a role behind for a user it removed.
func (s *Store) grantRole(ctx context.Context, c Conn, userID, role string, now time.Time) error {
	var id string
	if err := c.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR SHARE`, userID).Scan(&id); err != nil {
		return err
	}
	_, err := c.Exec(ctx, `INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, role) DO NOTHING`, userID, role, s.tv(now))
	return err
}

// RevokeRole takes role from the user, refusing the last administrator.
func (s *Store) RevokeRole(ctx context.Context, userID, role string) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		if role == model.RoleAdmin {
			// Every administrator is locked, so that two revocations at once
			// cannot each leave the other as the last one and then remove it.
			holders, err := collect(ctx, c, scanString, `SELECT user_id FROM user_roles WHERE role = $1 FOR UPDATE`, role)
			if err != nil {
				return err
			}
			if len(holders) == 1 && holders[0] == userID {
				return model.ErrConflict
			}
		}
		return changedRow(c.Exec(ctx, `DELETE FROM user_roles WHERE user_id = $1 AND role = $2`, userID, role))
	})
	return s.e.Err("revoke role", err)
}

// HasRole reports whether the user holds role.
func (s *Store) HasRole(ctx context.Context, userID, role string) (bool, error) {
	var n int
	err := s.e.Reader().QueryRow(ctx, `SELECT count(*) FROM user_roles WHERE user_id = $1 AND role = $2`, userID, role).Scan(&n)
	return n > 0, s.e.Err("has role", err)
}

// CountRole returns how many users hold role.
func (s *Store) CountRole(ctx context.Context, role string) (int, error) {
	var n int
	err := s.e.Reader().QueryRow(ctx, `SELECT count(*) FROM user_roles WHERE role = $1`, role).Scan(&n)
	return n, s.e.Err("count role", err)
}

// ListRole returns the ids of the users holding role, oldest grant first,
// at most maxRoleList of them.
func (s *Store) ListRole(ctx context.Context, role string) ([]string, error) {
	ids, err := collect(ctx, s.e.Reader(), scanString, `SELECT user_id FROM user_roles WHERE role = $1
		ORDER BY granted_at, user_id LIMIT $2`, role, maxRoleList)
	return ids, s.e.Err("list role", err)
}

// SetBootstrap replaces the first-administrator link's token hash.
func (s *Store) SetBootstrap(ctx context.Context, tokenHash string, expires, now time.Time) error {
	return s.PutSetting(ctx, bootstrapKey, tokenHash+" "+strconv.FormatInt(expires.UnixMilli(), 10), now)
}

// ClaimFirstAdmin makes the user the first administrator with the link's
// token, once.
func (s *Store) ClaimFirstAdmin(ctx context.Context, tokenHash, userID string, now time.Time) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		// The setting's row lock makes concurrent claims of one token wait
		// for the first, which deletes it.
		var v string
		if err := c.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1 FOR UPDATE`, bootstrapKey).Scan(&v); err != nil {
			return err
		}
		hash, expiry, err := parseBootstrap(v)
		if err != nil {
			return err
		}
		if !token.Equal(hash, tokenHash) || !now.Before(expiry) {
			return model.ErrNotFound
		}
		var n int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM user_roles WHERE role = $1`, model.RoleAdmin).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return model.ErrConflict
		}
		if err := s.grantRole(ctx, c, userID, model.RoleAdmin, now); err != nil {
			return err
		}
		_, err = c.Exec(ctx, `DELETE FROM settings WHERE key = $1`, bootstrapKey)
		return err
	})
	return s.e.Err("claim first admin", err)
}

func parseBootstrap(v string) (hash string, expiry time.Time, err error) {
	hash, ms, ok := strings.Cut(v, " ")
	n, perr := strconv.ParseInt(ms, 10, 64)
	if !ok || perr != nil {
		return "", time.Time{}, fmt.Errorf("malformed %s setting", bootstrapKey)
	}
	return hash, time.UnixMilli(n), nil
}

func scanString(r Row) (string, error) {
	var v string
	err := r.Scan(&v)
	return v, err
}
