package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/store"
)

const userColumns = `id, username, email, email_verified, phone, phone_verified, password_hash,
	name, given_name, family_name, middle_name, nickname, preferred_username, profile, picture,
	website, gender, birthdate, zoneinfo, locale, address, created_at, updated_at,
	status, external_id, custom_data, source_type, logins_count, last_login, last_ip, source_id`

const insertUser = `INSERT INTO users (` + userColumns + `, email_lower, username_key)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
		$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33)`

// CreateUser stores u; a taken id, username (as loginid compares them),
// email (in any case), phone or external id gives genauth.ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *model.User) error {
	v, err := s.userValues(u)
	if err != nil {
		return s.e.Err("create user", err)
	}
	_, err = s.e.Writer().Exec(ctx, insertUser, v...)
	return s.e.Err("create user", err)
}

// userValues are u's column values in userColumns order, then email_lower
// and username_key: the forms loginid compares them in, computed in Go (SQL
// has neither Unicode lower-casing nor the RFC 8265 profile). The address
// and custom data are JSON text (jsonb on PostgreSQL).
func (s *Store) userValues(u *model.User) ([]any, error) {
	addr, err := json.Marshal(u.Address)
	if err != nil {
		return nil, err
	}
	custom := []byte("{}") // the column is NOT NULL
	if u.CustomData != nil {
		if custom, err = json.Marshal(u.CustomData); err != nil {
			return nil, err
		}
	}
	return []any{u.ID, nullIfEmpty(u.Username), nullIfEmpty(u.Email), u.EmailVerified, nullIfEmpty(u.Phone),
		u.PhoneVerified, u.PasswordHash, u.Name, u.GivenName, u.FamilyName, u.MiddleName, u.Nickname,
		u.PreferredUsername, u.Profile, u.Picture, u.Website, u.Gender, u.Birthdate, u.Zoneinfo, u.Locale,
		string(addr), s.tv(u.CreatedAt), s.tv(u.UpdatedAt),
		u.Status, nullIfEmpty(u.ExternalID), string(custom), u.SourceType, u.LoginsCount, s.ntv(u.LastLogin),
		u.LastIP, u.SourceID, nullIfEmpty(loginid.Email(u.Email)), usernameKey(u.Username)}, nil
}

// usernameKey is the username_key of username: NULL when there is none.
func usernameKey(username string) any {
	if username == "" {
		return nil
	}
	return loginid.UsernameKey(username)
}

// GetUser returns the user with this id.
func (s *Store) GetUser(ctx context.Context, id string) (*model.User, error) {
	u, err := scanUser(s.e.Reader().QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return nil, s.e.Err("get user", err)
	}
	return u, nil
}

// FindUserByLogin finds the user whose username, email or phone is login
// as loginid compares them; store.MatchLogin picks among several matches.
func (s *Store) FindUserByLogin(ctx context.Context, login string) (*model.User, error) {
	l := loginid.Normalize(login)
	if l.Username == "" {
		return nil, model.ErrNotFound
	}
	found, err := collect(ctx, s.e.Reader(), scanUser, `SELECT `+userColumns+` FROM users
		WHERE username_key = $1 OR email_lower = $2 OR phone = $3`, l.Username, l.Email, l.Phone)
	if err != nil {
		return nil, s.e.Err("find user", err)
	}
	return store.MatchLogin(found, login)
}

// DuplicateUsernames returns the users sharing a username key, grouped.
func (s *Store) DuplicateUsernames(ctx context.Context) ([][]*model.User, error) {
	list, err := collect(ctx, s.e.Reader(), scanUser, `SELECT `+userColumns+` FROM users WHERE username_key IN (
		SELECT username_key FROM users WHERE username_key IS NOT NULL GROUP BY username_key HAVING count(*) > 1)
		ORDER BY username_key, created_at, `+s.e.InsertOrder())
	if err != nil {
		return nil, s.e.Err("duplicate usernames", err)
	}
	return store.GroupByUsername(list), nil
}

// ListUsers returns every user, oldest first.
func (s *Store) ListUsers(ctx context.Context) ([]*model.User, error) {
	users, err := collect(ctx, s.e.Reader(), scanUser,
		`SELECT `+userColumns+` FROM users ORDER BY created_at, `+s.e.InsertOrder())
	if err != nil {
		return nil, s.e.Err("list users", err)
	}
	return users, nil
}

func scanUser(r Row) (*model.User, error) {
	var d userDest
	if err := r.Scan(d.dest()...); err != nil {
		return nil, err
	}
	return d.user()
}

// userDest receives userColumns, alone or after other columns in one row.
type userDest struct {
	u            model.User
	addr, custom string
}

func (d *userDest) dest() []any {
	u := &d.u
	return []any{&u.ID, nd(&u.Username), nd(&u.Email), &u.EmailVerified, nd(&u.Phone), &u.PhoneVerified,
		&u.PasswordHash, &u.Name, &u.GivenName, &u.FamilyName, &u.MiddleName, &u.Nickname, &u.PreferredUsername,
		&u.Profile, &u.Picture, &u.Website, &u.Gender, &u.Birthdate, &u.Zoneinfo, &u.Locale, &d.addr,
		td(&u.CreatedAt), td(&u.UpdatedAt),
		&u.Status, nd(&u.ExternalID), &d.custom, &u.SourceType, &u.LoginsCount, td(&u.LastLogin), &u.LastIP,
		&u.SourceID}
}

// user decodes the scanned JSON columns.
func (d *userDest) user() (*model.User, error) {
	u := &d.u
	// Most users have neither: skip the JSON decoder for the empty object.
	if d.addr != "{}" {
		if err := json.Unmarshal([]byte(d.addr), &u.Address); err != nil {
			return nil, fmt.Errorf("corrupt address column: %w", err)
		}
	}
	if d.custom != "{}" {
		if err := json.Unmarshal([]byte(d.custom), &u.CustomData); err != nil {
			return nil, fmt.Errorf("corrupt custom_data column: %w", err)
		}
	}
	if len(u.CustomData) == 0 {
		u.CustomData = nil
	}
	return u, nil
}
