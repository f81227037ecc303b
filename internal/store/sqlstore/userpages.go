package sqlstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/store"
)

// A cursor is the position after the last row of a page: its kind (which
// list or which search key), then the values of the columns the list is
// ordered by, as text. It travels as unpadded base64url JSON, opaque to
// callers.
type cursor []string

func (c cursor) String() string {
	b, _ := json.Marshal([]string(c)) // cannot fail for strings
	return base64.RawURLEncoding.EncodeToString(b)
}

// errCursor is a cursor that this store did not hand out, or not for this list.
var errCursor = fmt.Errorf("%w: malformed page cursor", model.ErrInvalidInput)

// parseCursor decodes s, which must be of one of kinds with n values after
// the kind ("" gives a nil cursor).
func parseCursor(s string, n int, kinds ...string) (cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errCursor
	}
	var c cursor
	if json.Unmarshal(b, &c) != nil || len(c) != n+1 {
		return nil, errCursor
	}
	for _, k := range kinds {
		if c[0] == k {
			return c, nil
		}
	}
	return nil, errCursor
}

// cursorTime is a time in a cursor: the instant read from the store, which
// RFC 3339 with nanoseconds keeps exactly on both engines.
func cursorTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseCursorTime(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, errCursor
	}
	return t, nil
}

// CountUsers returns how many users there are.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.e.Reader().QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, s.e.Err("count users", err)
	}
	return n, nil
}

// ListUsersPage returns a page of the users q selects and the cursor of the
// next page, "" after the last. Every query of it is an index range scan
// in the index's order, stopped by LIMIT: a page costs the same at the
// start and a million users in.
func (s *Store) ListUsersPage(ctx context.Context, q store.UserPage) ([]*model.User, string, error) {
	if q.Limit < 1 || q.Limit > store.MaxUserPage {
		return nil, "", fmt.Errorf("%w: page size %d is not within 1..%d", model.ErrInvalidInput, q.Limit, store.MaxUserPage)
	}
	search := loginid.Trim(q.Search)
	if search == "" {
		return s.newestUsers(ctx, q.After, q.Limit)
	}
	return s.searchUsers(ctx, search, q.After, q.Limit)
}

// newestUsers lists every user by (created_at, id), newest first
// (users_created_id).
func (s *Store) newestUsers(ctx context.Context, after string, limit int) ([]*model.User, string, error) {
	c, err := parseCursor(after, 2, "new")
	if err != nil {
		return nil, "", err
	}
	var a numberedArgs
	where := ""
	if c != nil {
		t, err := parseCursorTime(c[1])
		if err != nil {
			return nil, "", err
		}
		where = ` WHERE (created_at, id) < (` + a.add(s.tv(t)) + `, ` + a.add(c[2]) + `)`
	}
	list, err := collect(ctx, s.e.Reader(), scanUser, `SELECT `+userColumns+` FROM users`+where+
		` ORDER BY created_at DESC, id DESC LIMIT `+a.add(limit+1), a...)
	if err != nil {
		return nil, "", s.e.Err("list users page", err)
	}
	if len(list) <= limit {
		return list, "", nil
	}
	last := list[limit-1]
	return list[:limit], cursor{"new", cursorTime(last.CreatedAt), last.ID}.String(), nil
}

// userKey is one of the keys a search matches, in the order searches list
// them: its cursor kind, the column, the search's form of it, and the
// columns, unique together, that order its matches (key first).
type userKey struct {
	kind, col string
	form      func(string) string
	order     []string
	prefix    bool // else exact
}

var userKeys = []userKey{
	{"id", "id", func(s string) string { return s }, []string{"id"}, false},
	{"username", "username_key", loginid.UsernameKey, []string{"username_key", "username_dup"}, true},
	{"email", "email_lower", loginid.Email, []string{"email_lower"}, true},
	{"phone", "phone", loginid.Phone, []string{"phone"}, true},
}

// prefixEnd bounds the values starting with a prefix p: they sort at or
// after p and before p followed by U+10FFFF, the last code point (a
// noncharacter, which no normalised username, email or phone holds), in
// a bytewise order (see migration 0023 / 0021).
const prefixEnd = "\U0010FFFF"

// match is the condition that k matches v, its arguments added to a; a
// prefix match leaves out the keys before from (>= v).
func (k userKey) match(from, v string, a *numberedArgs) string {
	if !k.prefix {
		return k.col + " = " + a.add(v)
	}
	return k.col + " >= " + a.add(from) + " AND " + k.col + " < " + a.add(v+prefixEnd)
}

// miss is the condition that k does not match v; a NULL key matches nothing.
func (k userKey) miss(v string, a *numberedArgs) string {
	if !k.prefix {
		return k.col + " <> " + a.add(v)
	}
	return "(" + k.col + " IS NULL OR " + k.col + " < " + a.add(v) + " OR " + k.col + " >= " + a.add(v+prefixEnd) + ")"
}

// searchUsers lists the users matching search: by id, then by username,
// email and phone, each key's matches in its order. A user matching
// several keys is listed once, under the first; the later keys' queries
// leave out what the earlier ones match, so that pages never repeat it.
// Those left out are still read: the page that reaches the emails of a
// search "emma." reads every email starting so whose username did too.
func (s *Store) searchUsers(ctx context.Context, search, after string, limit int) ([]*model.User, string, error) {
	c, err := parseSearchCursor(after)
	if err != nil {
		return nil, "", err
	}
	type found struct {
		u   *model.User
		pos cursor
	}
	var out []found
	start := 0
	for c != nil && userKeys[start].kind != c[0] {
		start++
	}
	for i := start; i < len(userKeys) && len(out) <= limit; i++ {
		k := userKeys[i]
		v := k.form(search)
		if v == "" {
			continue
		}
		from := v
		if i == start && c != nil && c[1] > from {
			// The range starts at the cursor's key: SQLite starts an index
			// scan at one lower bound, and the row value's may not be it.
			from = c[1]
		}
		var a numberedArgs
		conds := []string{k.match(from, v, &a)}
		if i == start && c != nil {
			conds = append(conds, rowValue(k.order)+" > "+rowValue(a.placeholders(c[1:])))
		}
		for _, prev := range userKeys[:i] {
			if pv := prev.form(search); pv != "" {
				conds = append(conds, prev.miss(pv, &a))
			}
		}
		pos := make([]string, len(k.order))
		dests := make([]any, len(pos))
		for j := range pos {
			dests[j] = nd(&pos[j])
		}
		list, err := collect(ctx, s.e.Reader(), func(r Row) (found, error) {
			u, err := scanUser(trailingRow{r, dests})
			return found{u, append(cursor{k.kind}, pos...)}, err
		}, `SELECT `+userColumns+`, `+strings.Join(k.order, ", ")+` FROM users WHERE `+strings.Join(conds, " AND ")+
			` ORDER BY `+strings.Join(k.order, ", ")+` LIMIT `+a.add(limit+1-len(out)), a...)
		if err != nil {
			return nil, "", s.e.Err("search users", err)
		}
		out = append(out, list...)
	}
	users := make([]*model.User, 0, min(len(out), limit))
	for _, f := range out[:min(len(out), limit)] {
		users = append(users, f.u)
	}
	if len(out) <= limit {
		return users, "", nil
	}
	return users, out[limit-1].pos.String(), nil
}

// parseSearchCursor decodes the cursor of a search page, which names the
// key it stopped in and that key's order values ("" gives nil).
func parseSearchCursor(s string) (cursor, error) {
	if s == "" {
		return nil, nil
	}
	for _, k := range userKeys {
		if c, err := parseCursor(s, len(k.order), k.kind); err == nil {
			return c, nil
		}
	}
	return nil, errCursor
}

// rowValue is cols as an SQL row value, or the one column itself.
func rowValue(cols []string) string {
	if len(cols) == 1 {
		return cols[0]
	}
	return "(" + strings.Join(cols, ", ") + ")"
}

// placeholders adds vals and returns their placeholders.
func (a *numberedArgs) placeholders(vals []string) []string {
	ps := make([]string, len(vals))
	for i, v := range vals {
		ps[i] = a.add(v)
	}
	return ps
}

// trailingRow scans a row holding, after what scan reads, the columns
// whose destinations are extra.
type trailingRow struct {
	r     Row
	extra []any
}

func (t trailingRow) Scan(dest ...any) error { return t.r.Scan(append(dest, t.extra...)...) }
