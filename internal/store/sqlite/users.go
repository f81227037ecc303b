package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/store"
)

const userColumns = `id, username, email, email_verified, phone, phone_verified, password_hash,
	name, given_name, family_name, middle_name, nickname, preferred_username, profile, picture,
	website, gender, birthdate, zoneinfo, locale, address, created_at, updated_at,
	status, external_id, custom_data, source_type, logins_count, last_login, last_ip`

// CreateUser stores u; a taken id, username (as loginid compares them),
// email (in any case), phone or external id gives genauth.ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *model.User) error {
	args, err := userArgs(u)
	if err != nil {
		return fmt.Errorf("sqlite: create user: %w", err)
	}
	_, err = s.write.ExecContext(ctx, insertUser, args...)
	return mapErr("create user", err)
}

const insertUser = `INSERT INTO users (` + userColumns + `, email_lower, username_key)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// userArgs are u's column values in userColumns order, then email_lower and
// username_key: the forms loginid compares them in, computed in Go (SQL has
// neither Unicode lower-casing nor the RFC 8265 profile).
func userArgs(u *model.User) ([]any, error) {
	addr, err := json.Marshal(u.Address)
	if err != nil {
		return nil, err
	}
	custom, err := json.Marshal(u.CustomData)
	if err != nil {
		return nil, err
	}
	if u.CustomData == nil {
		custom = []byte("{}")
	}
	return []any{u.ID, nullIfEmpty(u.Username), nullIfEmpty(u.Email), u.EmailVerified, nullIfEmpty(u.Phone), u.PhoneVerified,
		u.PasswordHash, u.Name, u.GivenName, u.FamilyName, u.MiddleName, u.Nickname, u.PreferredUsername,
		u.Profile, u.Picture, u.Website, u.Gender, u.Birthdate, u.Zoneinfo, u.Locale, string(addr),
		toMS(u.CreatedAt), toMS(u.UpdatedAt),
		u.Status, nullIfEmpty(u.ExternalID), string(custom), u.SourceType, u.LoginsCount, toNullMS(u.LastLogin), u.LastIP,
		nullIfEmpty(loginid.Email(u.Email)), usernameKey(u.Username)}, nil
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
	u, err := scanUser(s.readRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, mapErr("get user", err)
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
	found, err := queryUsers(ctx, s.read, `SELECT `+userColumns+` FROM users
		WHERE username_key = ? OR email_lower = ? OR phone = ?`, l.Username, l.Email, l.Phone)
	if err != nil {
		return nil, mapErr("find user", err)
	}
	return store.MatchLogin(found, login)
}

// DuplicateUsernames returns the users sharing a username key, grouped.
func (s *Store) DuplicateUsernames(ctx context.Context) ([][]*model.User, error) {
	list, err := queryUsers(ctx, s.read, `SELECT `+userColumns+` FROM users WHERE username_key IN (
		SELECT username_key FROM users WHERE username_key IS NOT NULL GROUP BY username_key HAVING count(*) > 1)
		ORDER BY username_key, created_at, rowid`)
	if err != nil {
		return nil, mapErr("duplicate usernames", err)
	}
	return store.GroupByUsername(list), nil
}

// ListUsers returns every user, oldest first.
func (s *Store) ListUsers(ctx context.Context) ([]*model.User, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY created_at, rowid`)
	if err != nil {
		return nil, mapErr("list users", err)
	}
	defer rows.Close()
	var users []*model.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, mapErr("list users", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("list users", err)
	}
	return users, nil
}

func scanUser(r scanner) (*model.User, error) {
	var (
		u                      model.User
		username, email, phone sql.NullString
		externalID             sql.NullString
		addr, custom           string
		created, updated       int64
		lastLogin              sql.NullInt64
	)
	err := r.Scan(&u.ID, &username, &email, &u.EmailVerified, &phone, &u.PhoneVerified, &u.PasswordHash,
		&u.Name, &u.GivenName, &u.FamilyName, &u.MiddleName, &u.Nickname, &u.PreferredUsername,
		&u.Profile, &u.Picture, &u.Website, &u.Gender, &u.Birthdate, &u.Zoneinfo, &u.Locale, &addr,
		&created, &updated,
		&u.Status, &externalID, &custom, &u.SourceType, &u.LoginsCount, &lastLogin, &u.LastIP)
	if err != nil {
		return nil, err
	}
	// Most users have neither: skip the JSON decoder for the empty object.
	if addr != "{}" {
		if err := json.Unmarshal([]byte(addr), &u.Address); err != nil {
			return nil, fmt.Errorf("corrupt address column: %w", err)
		}
	}
	if custom != "{}" {
		if err := json.Unmarshal([]byte(custom), &u.CustomData); err != nil {
			return nil, fmt.Errorf("corrupt custom_data column: %w", err)
		}
	}
	if len(u.CustomData) == 0 {
		u.CustomData = nil
	}
	u.ExternalID, u.LastLogin = externalID.String, fromNullMS(lastLogin)
	u.Username, u.Email, u.Phone = username.String, email.String, phone.String
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return &u, nil
}
