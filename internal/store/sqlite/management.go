package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/store"
)

// UpdateUser replaces the stored user u.ID, keeping its CreatedAt.
func (s *Store) UpdateUser(ctx context.Context, u *model.User, signOut bool) error {
	args, err := userArgs(u)
	if err != nil {
		return fmt.Errorf("sqlite: update user: %w", err)
	}
	// userArgs: id, 20 profile columns, created_at, updated_at, status,
	// external_id, custom_data, source_type, then the login counters (which
	// only RecordLogin changes, so a concurrent login is never lost),
	// email_lower, username_key. A duplicate username from before usernames
	// were unique by their key stays marked until the key changes.
	key := args[len(args)-1]
	set := append(args[1:21:21], args[22:27]...)
	set = append(set, args[len(args)-2], key, key)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET username = ?, email = ?, email_verified = ?, phone = ?,
			phone_verified = ?, password_hash = ?, name = ?, given_name = ?, family_name = ?, middle_name = ?,
			nickname = ?, preferred_username = ?, profile = ?, picture = ?, website = ?, gender = ?, birthdate = ?,
			zoneinfo = ?, locale = ?, address = ?, updated_at = ?, status = ?, external_id = ?, custom_data = ?,
			source_type = ?, email_lower = ?, username_key = ?,
			username_dup = CASE WHEN username_key IS ? THEN username_dup ELSE '' END
			WHERE id = ?`, append(set, u.ID)...)
		if err := oneRow(res, err); err != nil {
			return err
		}
		if signOut {
			return signOutTx(ctx, tx, u.ID, nil, u.UpdatedAt)
		}
		return nil
	})
	return mapErr("update user", err)
}

// oneRow turns "no row changed" into genauth.ErrNotFound.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return model.ErrNotFound
	}
	return nil
}

// CreateUsers stores all users in one transaction, or none.
func (s *Store) CreateUsers(ctx context.Context, users []*model.User) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, u := range users {
			args, err := userArgs(u)
			if err != nil {
				return &store.EntryError{Index: i, Err: fmt.Errorf("sqlite: create users: %w", err)}
			}
			if _, err := tx.ExecContext(ctx, insertUser, args...); err != nil {
				return &store.EntryError{Index: i, Err: mapErr("create users", err)}
			}
		}
		return nil
	})
	return batchErr("create users", err)
}

// batchErr keeps an *store.EntryError as it is and maps anything else.
func batchErr(op string, err error) error {
	if _, ok := errors.AsType[*store.EntryError](err); ok {
		return err
	}
	return mapErr(op, err)
}

// DeleteUsers deletes the users and everything they hold, all or nothing.
func (s *Store) DeleteUsers(ctx context.Context, ids []string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, id := range ids {
			res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
			if err := oneRow(res, err); err != nil {
				return &store.EntryError{Index: i, Err: mapErr("delete users", err)}
			}
			for _, table := range []string{"sessions", "auth_codes", "tokens", "consents", "login_history"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE user_id = ?`, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return batchErr("delete users", err)
}

// FindUser finds the user whose field equals value as loginid compares it.
func (s *Store) FindUser(ctx context.Context, field store.UserField, value string) (*model.User, error) {
	var col, compared string
	switch field {
	case store.ByUsername:
		col, compared = "username_key", loginid.UsernameKey(value)
	case store.ByEmail:
		col, compared = "email_lower", loginid.Email(value)
	case store.ByPhone:
		col, compared = "phone", loginid.Phone(value)
	case store.ByExternalID:
		col, compared = "external_id", value
	default:
		return nil, fmt.Errorf("sqlite: find user: unknown field %q", field)
	}
	if compared == "" {
		return nil, model.ErrNotFound
	}
	found, err := queryUsers(ctx, s.read, `SELECT `+userColumns+` FROM users WHERE `+col+` = ?`, compared)
	if err != nil {
		return nil, mapErr("find user", err)
	}
	return store.PickUser(found, field, value)
}

// userFilterColumns maps filterable fields to columns.
var userFilterColumns = map[string]string{
	store.FieldStatus:     "status",
	store.FieldUsername:   "username",
	store.FieldEmail:      "email_lower",
	store.FieldPhone:      "phone",
	store.FieldName:       "name",
	store.FieldNickname:   "nickname",
	store.FieldExternalID: "external_id",
	store.FieldCreatedAt:  "created_at",
	store.FieldUpdatedAt:  "updated_at",
	store.FieldLastLogin:  "last_login",
}

// userWhere builds the WHERE clause of q and its arguments.
func userWhere(q store.UserQuery) (string, []any, error) {
	conds := []string{"1 = 1"}
	var args []any
	if kw := strings.ToLower(strings.TrimSpace(q.Keywords)); kw != "" {
		var ors []string
		for _, col := range []string{"username", "email_lower", "phone", "name", "nickname"} {
			ors = append(ors, "instr(lower(COALESCE("+col+", '')), ?) > 0")
			args = append(args, kw)
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	for _, f := range q.Filters {
		col, ok := userFilterColumns[f.Field]
		if !ok {
			return "", nil, fmt.Errorf("unknown filter field %q", f.Field)
		}
		var vals []any
		if store.IsTimeField(f.Field) {
			for _, t := range f.Times {
				vals = append(vals, toMS(t))
			}
		} else {
			if store.ByUsernameKey(f) {
				col = "username_key"
			}
			for _, v := range store.FilterStrings(f) {
				vals = append(vals, v)
			}
			col = "COALESCE(" + col + ", '')"
		}
		var cond string
		switch f.Op {
		case store.OpEqual:
			cond = col + " = ?"
		case store.OpNotEqual:
			cond = "(" + col + " IS NULL OR " + col + " <> ?)"
		case store.OpContains:
			cond, vals = "instr(lower("+col+"), ?) > 0", []any{strings.ToLower(fmt.Sprint(vals[0]))}
		case store.OpIn:
			cond = col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + ")"
		case store.OpGreater:
			cond = col + " > ?"
		case store.OpLesser:
			cond = col + " < ?"
		case store.OpBetween:
			cond = col + " BETWEEN ? AND ?"
		case store.OpIsNull, store.OpNotNull:
			empty := col + " IS NULL"
			if !store.IsTimeField(f.Field) {
				empty = col + " = ''"
			}
			if f.Op == store.OpNotNull {
				empty = "NOT (" + empty + ")"
			}
			cond, vals = empty, nil
		default:
			return "", nil, fmt.Errorf("unknown filter operator %q", f.Op)
		}
		conds = append(conds, cond)
		args = append(args, vals...)
	}
	return strings.Join(conds, " AND "), args, nil
}

// QueryUsers returns a page of matching users and how many match.
func (s *Store) QueryUsers(ctx context.Context, q store.UserQuery) ([]*model.User, int, error) {
	where, args, err := userWhere(q)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: query users: %w", err)
	}
	var order []string
	for _, o := range q.Sort {
		col, ok := userFilterColumns[o.Field]
		if !ok {
			return nil, 0, fmt.Errorf("sqlite: query users: unknown sort field %q", o.Field)
		}
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		order = append(order, col+dir+" NULLS LAST")
	}
	order = append(order, "created_at", "rowid")
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, mapErr("query users", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, mapErr("query users", err)
	}
	list, err := queryUsers(ctx, tx, `SELECT `+userColumns+` FROM users WHERE `+where+
		` ORDER BY `+strings.Join(order, ", ")+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, mapErr("query users", err)
	}
	return list, total, nil
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func queryUsers(ctx context.Context, db querier, q string, args ...any) ([]*model.User, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*model.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SignOutUser ends the user's sessions and their tokens and pending codes for clientIDs (all when empty).
func (s *Store) SignOutUser(ctx context.Context, userID string, clientIDs []string, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return signOutTx(ctx, tx, userID, clientIDs, now) })
	return mapErr("sign out user", err)
}

func signOutTx(ctx context.Context, tx *sql.Tx, userID string, clientIDs []string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return err
	}
	clients, args := "", []any{userID}
	if len(clientIDs) > 0 {
		clients = " AND client_id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(clientIDs)), ", ") + ")"
		for _, c := range clientIDs {
			args = append(args, c)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ?
		WHERE user_id = ? AND revoked_at IS NULL`+clients, append([]any{toMS(now)}, args...)...); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM auth_codes WHERE user_id = ? AND redeemed_at IS NULL`+clients, args...)
	return err
}

// RecordLogin appends to the login history and updates the user's login counters.
func (s *Store) RecordLogin(ctx context.Context, rec *model.LoginRecord) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET logins_count = logins_count + 1, last_login = ?, last_ip = ?
			WHERE id = ?`, toMS(rec.Time), rec.ClientIP, rec.UserID)
		if err := oneRow(res, err); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO login_history (user_id, app_id, client_ip, user_agent, time)
			VALUES (?, ?, ?, ?, ?)`, rec.UserID, rec.AppID, rec.ClientIP, rec.UserAgent, toMS(rec.Time))
		return err
	})
	return mapErr("record login", err)
}

// ListLogins returns a page of login history, newest first, and the total.
func (s *Store) ListLogins(ctx context.Context, q store.LoginQuery) ([]*model.LoginRecord, int, error) {
	where, args := "user_id = ?", []any{q.UserID}
	if q.AppID != "" {
		where, args = where+" AND app_id = ?", append(args, q.AppID)
	}
	if q.ClientIP != "" {
		where, args = where+" AND client_ip = ?", append(args, q.ClientIP)
	}
	if !q.Start.IsZero() {
		where, args = where+" AND time >= ?", append(args, toMS(q.Start))
	}
	if !q.End.IsZero() {
		where, args = where+" AND time <= ?", append(args, toMS(q.End))
	}
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, mapErr("list logins", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM login_history WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, mapErr("list logins", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT user_id, app_id, client_ip, user_agent, time FROM login_history
		WHERE `+where+` ORDER BY time DESC, rowid DESC LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, mapErr("list logins", err)
	}
	defer rows.Close()
	var out []*model.LoginRecord
	for rows.Next() {
		var (
			r  model.LoginRecord
			at int64
		)
		if err := rows.Scan(&r.UserID, &r.AppID, &r.ClientIP, &r.UserAgent, &at); err != nil {
			return nil, 0, mapErr("list logins", err)
		}
		r.Time = fromMS(at)
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, mapErr("list logins", err)
	}
	return out, total, nil
}

// ActiveClients returns the clients the user holds an active token for.
func (s *Store) ActiveClients(ctx context.Context, userID string, now time.Time) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT client_id FROM tokens
		WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY client_id`, userID, toMS(now))
	if err != nil {
		return nil, mapErr("active clients", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr("active clients", err)
		}
		out = append(out, id)
	}
	return out, mapErr("active clients", rows.Err())
}

// ActiveUsers returns a page of the users holding an active token of the client.
func (s *Store) ActiveUsers(ctx context.Context, clientID string, now time.Time, offset, limit int) ([]*model.User, int, error) {
	const where = ` FROM users WHERE id IN (SELECT user_id FROM tokens
		WHERE client_id = ? AND revoked_at IS NULL AND expires_at > ?)`
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, mapErr("active users", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*)`+where, clientID, toMS(now)).Scan(&total); err != nil {
		return nil, 0, mapErr("active users", err)
	}
	list, err := queryUsers(ctx, tx, `SELECT `+userColumns+where+` ORDER BY created_at, rowid LIMIT ? OFFSET ?`,
		clientID, toMS(now), limit, offset)
	if err != nil {
		return nil, 0, mapErr("active users", err)
	}
	return list, total, nil
}
