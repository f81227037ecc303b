package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/store"
)

// UpdateUser replaces the stored user u.ID, keeping its CreatedAt and login counters.
func (s *Store) UpdateUser(ctx context.Context, u *model.User, signOut bool) error {
	v, err := s.userValues(u)
	if err != nil {
		return s.e.Err("update user", err)
	}
	// userValues: id, 20 profile columns, created_at, updated_at, status,
	// external_id, custom_data, source_type, the login counters (which only
	// RecordLogin changes, so a concurrent login is never lost), source_id
	// (where the user came from, which never changes), email_lower,
	// username_key. A duplicate username from before usernames were unique
	// by their key stays marked until the key changes.
	set := append(v[1:21:21], v[22:27]...)
	set = append(set, v[len(v)-2], v[len(v)-1], u.ID)
	err = s.e.InTx(ctx, func(c Conn) error {
		err := userFound(c.Exec(ctx, `UPDATE users SET username = $1, email = $2, email_verified = $3, phone = $4,
			phone_verified = $5, password_hash = $6, name = $7, given_name = $8, family_name = $9, middle_name = $10,
			nickname = $11, preferred_username = $12, profile = $13, picture = $14, website = $15, gender = $16,
			birthdate = $17, zoneinfo = $18, locale = $19, address = $20, updated_at = $21, status = $22,
			external_id = $23, custom_data = $24, source_type = $25, email_lower = $26, username_key = $27,
			username_dup = CASE WHEN username_key IS NOT DISTINCT FROM $27 THEN username_dup ELSE '' END
			WHERE id = $28`, set...))
		if err != nil {
			return err
		}
		if signOut {
			return s.signOutUser(ctx, c, u.ID, nil, u.UpdatedAt, "")
		}
		return nil
	})
	return s.e.Err("update user", err)
}

// userFound turns "no user row changed" into genauth.ErrNotFound.
func userFound(n int64, err error) error {
	if err == nil && n == 0 {
		return model.ErrNotFound
	}
	return err
}

// CreateUsers stores all users in one transaction, or none; the first
// failure ends the transaction and names its entry.
func (s *Store) CreateUsers(ctx context.Context, users []*model.User) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		for i, u := range users {
			v, err := s.userValues(u)
			if err == nil {
				_, err = c.Exec(ctx, insertUser, v...)
			}
			if err != nil {
				return &store.EntryError{Index: i, Err: s.e.Err("create users", err)}
			}
		}
		return nil
	})
	return s.batchErr("create users", err)
}

// batchErr keeps an *store.EntryError as it is and maps anything else.
func (s *Store) batchErr(op string, err error) error {
	if _, ok := errors.AsType[*store.EntryError](err); ok {
		return err
	}
	return s.e.Err(op, err)
}

// DeleteUsers deletes the users and everything they hold, all or nothing.
func (s *Store) DeleteUsers(ctx context.Context, ids []string) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		for i, id := range ids {
			if err := userFound(c.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)); err != nil {
				return &store.EntryError{Index: i, Err: s.e.Err("delete users", err)}
			}
			for _, table := range []string{"sessions", "auth_codes", "tokens", "consents", "login_history", "mfa_factors", "recovery_codes",
				"user_identities", "user_roles"} {
				if _, err := c.Exec(ctx, `DELETE FROM `+table+` WHERE user_id = $1`, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return s.batchErr("delete users", err)
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
		return nil, s.e.Err("find user", fmt.Errorf("unknown field %q", field))
	}
	if compared == "" {
		return nil, model.ErrNotFound
	}
	found, err := collect(ctx, s.e.Reader(), scanUser, `SELECT `+userColumns+` FROM users WHERE `+col+` = $1`, compared)
	if err != nil {
		return nil, s.e.Err("find user", err)
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

// numberedArgs collects the arguments of a query built at run time and
// hands out their placeholders, numbered in the order added.
type numberedArgs []any

func (a *numberedArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// in adds vals and returns their placeholders, comma-separated.
func (a *numberedArgs) in(vals []any) string {
	ps := make([]string, len(vals))
	for i, v := range vals {
		ps[i] = a.add(v)
	}
	return strings.Join(ps, ", ")
}

// containsMatch is the condition that col holds the substring whose LIKE
// pattern is bound at p, in any case. Both sides are lowered by the same
// SQL function, so a value matches itself on both engines; lower() folds
// ASCII only on SQLite (and on a PostgreSQL database with the C locale), all
// of Unicode otherwise. Neither engine has the other's substring function
// (instr, strpos), so it is LIKE, whose wildcards the pattern escapes.
func containsMatch(col, p string) string {
	return "lower(" + col + ") LIKE lower(" + p + `) ESCAPE '\'`
}

// containsPattern is the LIKE pattern of the values containing v.
func containsPattern(v string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(v) + "%"
}

// userWhere builds the WHERE clause of q, adding its arguments to a.
func (s *Store) userWhere(q store.UserQuery, a *numberedArgs) (string, error) {
	conds := []string{"1 = 1"}
	if kw := strings.TrimSpace(q.Keywords); kw != "" {
		p := a.add(containsPattern(kw))
		var ors []string
		for _, col := range []string{"username", "email_lower", "phone", "name", "nickname"} {
			ors = append(ors, containsMatch("COALESCE("+col+", '')", p))
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
				vals = append(vals, s.tv(t))
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
			cond = containsMatch(col, a.add(containsPattern(fmt.Sprint(vals[0]))))
		case store.OpIn:
			cond = col + " IN (" + a.in(vals) + ")"
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
	var a numberedArgs
	where, err := s.userWhere(q, &a)
	if err != nil {
		return nil, 0, s.e.Err("query users", err)
	}
	var order []string
	for _, o := range q.Sort {
		col, ok := userFilterColumns[o.Field]
		if !ok {
			return nil, 0, s.e.Err("query users", fmt.Errorf("unknown sort field %q", o.Field))
		}
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		order = append(order, col+dir+" NULLS LAST")
	}
	order = append(order, "created_at", s.e.InsertOrder())
	list, total, err := countedPage(ctx, s.e.Reader(), scanUser, userColumns, "users WHERE "+where,
		strings.Join(order, ", "), a, q.Offset, q.Limit)
	if err != nil {
		return nil, 0, s.e.Err("query users", err)
	}
	return list, total, nil
}

// countedPage returns the page of the rows of `SELECT cols FROM from` in
// order and how many rows there are in all. The total is a scalar subquery
// of the page's statement, so that both come from one snapshot on either
// engine (one statement reads one snapshot) without a read transaction.
// A page past the end has no row to carry the total: a second statement
// counts then.
func countedPage[T any](ctx context.Context, c Conn, scan func(Row) (T, error), cols, from, order string,
	args []any, offset, limit int) ([]T, int, error) {
	n := len(args)
	var total int
	list, err := collect(ctx, c, func(r Row) (T, error) { return scan(totalRow{r, &total}) },
		`SELECT (SELECT count(*) FROM `+from+`), `+cols+` FROM `+from+` ORDER BY `+order+
			` LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), append(args[:n:n], limit, offset)...)
	if err != nil || len(list) > 0 || offset == 0 {
		return list, total, err // an empty first page: the total is 0
	}
	err = c.QueryRow(ctx, `SELECT count(*) FROM `+from, args...).Scan(&total)
	return nil, total, err
}

// totalRow scans a countedPage row: the total, then what scan reads.
type totalRow struct {
	r     Row
	total *int
}

func (t totalRow) Scan(dest ...any) error { return t.r.Scan(append([]any{t.total}, dest...)...) }

// SignOutUser ends the user's sessions and their tokens and pending codes for clientIDs (all when empty).
func (s *Store) SignOutUser(ctx context.Context, userID string, clientIDs []string, now time.Time) error {
	err := s.e.InTx(ctx, func(c Conn) error { return s.signOutUser(ctx, c, userID, clientIDs, now, "") })
	return s.e.Err("sign out user", err)
}

// SetPassword stores the user's new password hash and, in the same
// transaction, ends their sessions, revokes their tokens except the one
// whose hash is keep, and deletes their unredeemed codes.
func (s *Store) SetPassword(ctx context.Context, userID, hash string, now time.Time, keep string) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		if err := userFound(c.Exec(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`,
			hash, s.tv(now), userID)); err != nil {
			return err
		}
		return s.signOutUser(ctx, c, userID, nil, now, keep)
	})
	return s.e.Err("set password", err)
}

// signOutUser ends userID's sessions, revokes their tokens (of clientIDs
// only, when given; never the one whose hash is keep) and deletes their
// unredeemed codes.
func (s *Store) signOutUser(ctx context.Context, c Conn, userID string, clientIDs []string, now time.Time, keep string) error {
	if _, err := c.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return err
	}
	a := numberedArgs{userID}
	clients := ""
	if len(clientIDs) > 0 {
		ids := make([]any, len(clientIDs))
		for i, id := range clientIDs {
			ids[i] = id
		}
		clients = " AND client_id IN (" + a.in(ids) + ")"
	}
	n := len(a)
	tokens := append(a[:n:n], s.tv(now))
	except := ""
	if keep != "" {
		tokens = append(tokens, keep)
		except = " AND hash <> $" + strconv.Itoa(n+2)
	}
	if _, err := c.Exec(ctx, `UPDATE tokens SET revoked_at = $`+strconv.Itoa(n+1)+`
		WHERE user_id = $1 AND revoked_at IS NULL`+clients+except, tokens...); err != nil {
		return err
	}
	_, err := c.Exec(ctx, `DELETE FROM auth_codes WHERE user_id = $1 AND redeemed_at IS NULL`+clients, a...)
	return err
}
