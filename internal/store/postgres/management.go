package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/store"
)

// oneRow turns "no row changed" into genauth.ErrNotFound.
func oneRow(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return model.ErrNotFound
	}
	return nil
}

// args collects query arguments and hands out their placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// UpdateUser replaces the stored user u.ID, keeping its CreatedAt and login counters.
func (s *Store) UpdateUser(ctx context.Context, u *model.User, signOut bool) error {
	v := userValues(u)
	// userValues: id, 20 profile columns, created_at, updated_at, status,
	// external_id, custom_data, source_type, the login counters (which only
	// RecordLogin changes, so a concurrent login is never lost), email_lower,
	// username_key. A duplicate username from before usernames were unique
	// by their key stays marked until the key changes.
	set := append(v[1:21:21], v[22:27]...)
	set = append(set, v[len(v)-2], v[len(v)-1], u.ID)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET username = $1, email = $2, email_verified = $3, phone = $4,
			phone_verified = $5, password_hash = $6, name = $7, given_name = $8, family_name = $9, middle_name = $10,
			nickname = $11, preferred_username = $12, profile = $13, picture = $14, website = $15, gender = $16,
			birthdate = $17, zoneinfo = $18, locale = $19, address = $20, updated_at = $21, status = $22,
			external_id = $23, custom_data = $24, source_type = $25, email_lower = $26, username_key = $27,
			username_dup = CASE WHEN username_key IS NOT DISTINCT FROM $27 THEN username_dup ELSE '' END
			WHERE id = $28`, set...)
		if err := oneRow(tag, err); err != nil {
			return err
		}
		if signOut {
			return signOutTx(ctx, tx, u.ID, nil, u.UpdatedAt)
		}
		return nil
	})
	return mapErr("update user", err)
}

// CreateUsers stores all users in one transaction, or none; the first
// failure ends the transaction and names its entry.
func (s *Store) CreateUsers(ctx context.Context, users []*model.User) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for i, u := range users {
			if _, err := tx.Exec(ctx, insertUser, userValues(u)...); err != nil {
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
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for i, id := range ids {
			tag, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
			if err := oneRow(tag, err); err != nil {
				return &store.EntryError{Index: i, Err: mapErr("delete users", err)}
			}
			for _, table := range []string{"sessions", "auth_codes", "tokens", "consents", "login_history"} {
				if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE user_id = $1`, id); err != nil {
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
		return nil, fmt.Errorf("postgres: find user: unknown field %q", field)
	}
	if compared == "" {
		return nil, model.ErrNotFound
	}
	found, err := collectUsers(s.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE `+col+` = $1`, compared))
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

// userWhere builds the WHERE clause of q, adding its arguments to a.
func userWhere(q store.UserQuery, a *args) (string, error) {
	conds := []string{"true"}
	if kw := strings.ToLower(strings.TrimSpace(q.Keywords)); kw != "" {
		p := a.add(kw)
		var ors []string
		for _, col := range []string{"username", "email_lower", "phone", "name", "nickname"} {
			ors = append(ors, "strpos(lower(COALESCE("+col+", '')), "+p+") > 0")
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	for _, f := range q.Filters {
		col, ok := userFilterColumns[f.Field]
		if !ok {
			return "", fmt.Errorf("unknown filter field %q", f.Field)
		}
		var vals []any
		isTime := store.IsTimeField(f.Field)
		if isTime {
			for _, t := range f.Times {
				vals = append(vals, t)
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
			cond = col + " = " + a.add(vals[0])
		case store.OpNotEqual:
			cond = "(" + col + " IS NULL OR " + col + " <> " + a.add(vals[0]) + ")"
		case store.OpContains:
			cond = "strpos(lower(" + col + "), " + a.add(strings.ToLower(fmt.Sprint(vals[0]))) + ") > 0"
		case store.OpIn:
			ps := make([]string, len(vals))
			for i, v := range vals {
				ps[i] = a.add(v)
			}
			cond = col + " IN (" + strings.Join(ps, ", ") + ")"
		case store.OpGreater:
			cond = col + " > " + a.add(vals[0])
		case store.OpLesser:
			cond = col + " < " + a.add(vals[0])
		case store.OpBetween:
			cond = col + " BETWEEN " + a.add(vals[0]) + " AND " + a.add(vals[1])
		case store.OpIsNull, store.OpNotNull:
			cond = col + " IS NULL"
			if !isTime {
				cond = col + " = ''"
			}
			if f.Op == store.OpNotNull {
				cond = "NOT (" + cond + ")"
			}
		default:
			return "", fmt.Errorf("unknown filter operator %q", f.Op)
		}
		conds = append(conds, cond)
	}
	return strings.Join(conds, " AND "), nil
}

// QueryUsers returns a page of matching users and how many match.
func (s *Store) QueryUsers(ctx context.Context, q store.UserQuery) ([]*model.User, int, error) {
	var a args
	where, err := userWhere(q, &a)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: query users: %w", err)
	}
	var order []string
	for _, o := range q.Sort {
		col, ok := userFilterColumns[o.Field]
		if !ok {
			return nil, 0, fmt.Errorf("postgres: query users: unknown sort field %q", o.Field)
		}
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		order = append(order, col+dir+" NULLS LAST")
	}
	order = append(order, "created_at", "seq")
	var (
		list  []*model.User
		total int
	)
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead},
		func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM users WHERE `+where, a...).Scan(&total); err != nil {
				return err
			}
			page := append(a[:len(a):len(a)], q.Limit, q.Offset)
			var err error
			list, err = collectUsers(tx.Query(ctx, `SELECT `+userColumns+` FROM users WHERE `+where+
				` ORDER BY `+strings.Join(order, ", ")+
				` LIMIT $`+strconv.Itoa(len(a)+1)+` OFFSET $`+strconv.Itoa(len(a)+2), page...))
			return err
		})
	if err != nil {
		return nil, 0, mapErr("query users", err)
	}
	return list, total, nil
}

func collectUsers(rows pgx.Rows, err error) ([]*model.User, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.User, error) { return scanUser(r) })
}

// SignOutUser ends the user's sessions and their tokens and pending codes for clientIDs (all when empty).
func (s *Store) SignOutUser(ctx context.Context, userID string, clientIDs []string, now time.Time) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error { return signOutTx(ctx, tx, userID, clientIDs, now) })
	return mapErr("sign out user", err)
}

func signOutTx(ctx context.Context, tx pgx.Tx, userID string, clientIDs []string, now time.Time) error {
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return err
	}
	// With no client list, the array condition is skipped.
	all := len(clientIDs) == 0
	if _, err := tx.Exec(ctx, `UPDATE tokens SET revoked_at = $1
		WHERE user_id = $2 AND revoked_at IS NULL AND ($3 OR client_id = ANY($4))`,
		now, userID, all, list(clientIDs)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM auth_codes WHERE user_id = $1 AND redeemed_at IS NULL
		AND ($2 OR client_id = ANY($3))`, userID, all, list(clientIDs))
	return err
}

// RecordLogin appends to the login history and updates the user's login counters.
func (s *Store) RecordLogin(ctx context.Context, rec *model.LoginRecord) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET logins_count = logins_count + 1, last_login = $1, last_ip = $2
			WHERE id = $3`, rec.Time, rec.ClientIP, rec.UserID)
		if err := oneRow(tag, err); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO login_history (user_id, app_id, client_ip, user_agent, time)
			VALUES ($1, $2, $3, $4, $5)`, rec.UserID, rec.AppID, rec.ClientIP, rec.UserAgent, rec.Time)
		return err
	})
	return mapErr("record login", err)
}

// ListLogins returns a page of login history, newest first, and the total.
func (s *Store) ListLogins(ctx context.Context, q store.LoginQuery) ([]*model.LoginRecord, int, error) {
	var a args
	where := "user_id = " + a.add(q.UserID)
	if q.AppID != "" {
		where += " AND app_id = " + a.add(q.AppID)
	}
	if q.ClientIP != "" {
		where += " AND client_ip = " + a.add(q.ClientIP)
	}
	if !q.Start.IsZero() {
		where += " AND time >= " + a.add(q.Start)
	}
	if !q.End.IsZero() {
		where += " AND time <= " + a.add(q.End)
	}
	var (
		out   []*model.LoginRecord
		total int
	)
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead},
		func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM login_history WHERE `+where, a...).Scan(&total); err != nil {
				return err
			}
			page := append(a[:len(a):len(a)], q.Limit, q.Offset)
			rows, err := tx.Query(ctx, `SELECT user_id, app_id, client_ip, user_agent, time FROM login_history
				WHERE `+where+` ORDER BY time DESC, seq DESC
				LIMIT $`+strconv.Itoa(len(a)+1)+` OFFSET $`+strconv.Itoa(len(a)+2), page...)
			if err != nil {
				return err
			}
			out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.LoginRecord, error) {
				var rec model.LoginRecord
				err := r.Scan(&rec.UserID, &rec.AppID, &rec.ClientIP, &rec.UserAgent, &rec.Time)
				rec.Time = utc(rec.Time)
				return &rec, err
			})
			return err
		})
	if err != nil {
		return nil, 0, mapErr("list logins", err)
	}
	return out, total, nil
}

// ActiveClients returns the clients the user holds an active token for.
func (s *Store) ActiveClients(ctx context.Context, userID string, now time.Time) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT client_id FROM tokens
		WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY client_id`, userID, now)
	if err != nil {
		return nil, mapErr("active clients", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, mapErr("active clients", err)
	}
	return ids, nil
}

// ActiveUsers returns a page of the users holding an active token of the client.
func (s *Store) ActiveUsers(ctx context.Context, clientID string, now time.Time, offset, limit int) ([]*model.User, int, error) {
	const where = ` FROM users WHERE id IN (SELECT user_id FROM tokens
		WHERE client_id = $1 AND revoked_at IS NULL AND expires_at > $2)`
	var (
		list  []*model.User
		total int
	)
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead},
		func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT count(*)`+where, clientID, now).Scan(&total); err != nil {
				return err
			}
			var err error
			list, err = collectUsers(tx.Query(ctx, `SELECT `+userColumns+where+` ORDER BY created_at, seq
				LIMIT $3 OFFSET $4`, clientID, now, limit, offset))
			return err
		})
	if err != nil {
		return nil, 0, mapErr("active users", err)
	}
	return list, total, nil
}
