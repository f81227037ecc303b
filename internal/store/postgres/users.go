package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/store"
)

const userColumns = `id, username, email, email_verified, phone, phone_verified, password_hash,
	name, given_name, family_name, middle_name, nickname, preferred_username, profile, picture,
	website, gender, birthdate, zoneinfo, locale, address, created_at, updated_at,
	status, external_id, custom_data, source_type, logins_count, last_login, last_ip`

// userValues are u's column values in userColumns order, then email_lower
// and username_key: the forms loginid compares them in, computed in Go.
func userValues(u *model.User) []any {
	return []any{u.ID, nullIfEmpty(u.Username), nullIfEmpty(u.Email), u.EmailVerified, nullIfEmpty(u.Phone),
		u.PhoneVerified, u.PasswordHash, u.Name, u.GivenName, u.FamilyName, u.MiddleName, u.Nickname,
		u.PreferredUsername, u.Profile, u.Picture, u.Website, u.Gender, u.Birthdate, u.Zoneinfo, u.Locale,
		u.Address, u.CreatedAt, u.UpdatedAt,
		u.Status, nullIfEmpty(u.ExternalID), customData(u.CustomData), u.SourceType, u.LoginsCount, nullTime(u.LastLogin),
		u.LastIP, nullIfEmpty(loginid.Email(u.Email)), usernameKey(u.Username)}
}

// usernameKey is the username_key of username: NULL when there is none.
func usernameKey(username string) *string {
	if username == "" {
		return nil
	}
	k := loginid.UsernameKey(username)
	return &k
}

// customData stores a nil map as {} (the column is NOT NULL).
func customData(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// CreateUser stores u; a taken id, username (as loginid compares them),
// email (in any case), phone or external id gives genauth.ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *model.User) error {
	_, err := s.pool.Exec(ctx, insertUser, userValues(u)...)
	return mapErr("create user", err)
}

const insertUser = `INSERT INTO users (` + userColumns + `, email_lower, username_key)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
		$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)`

// GetUser returns the user with this id.
func (s *Store) GetUser(ctx context.Context, id string) (*model.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
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
	found, err := collectUsers(s.pool.Query(ctx, `SELECT `+userColumns+` FROM users
		WHERE username_key = $1 OR email_lower = $2 OR phone = $3`, l.Username, l.Email, l.Phone))
	if err != nil {
		return nil, mapErr("find user", err)
	}
	return store.MatchLogin(found, login)
}

// DuplicateUsernames returns the users sharing a username key, grouped.
func (s *Store) DuplicateUsernames(ctx context.Context) ([][]*model.User, error) {
	list, err := collectUsers(s.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE username_key IN (
		SELECT username_key FROM users WHERE username_key IS NOT NULL GROUP BY username_key HAVING count(*) > 1)
		ORDER BY username_key, created_at, seq`))
	if err != nil {
		return nil, mapErr("duplicate usernames", err)
	}
	return store.GroupByUsername(list), nil
}

// ListUsers returns every user, oldest first.
func (s *Store) ListUsers(ctx context.Context) ([]*model.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY created_at, seq`)
	if err != nil {
		return nil, mapErr("list users", err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.User, error) { return scanUser(r) })
	if err != nil {
		return nil, mapErr("list users", err)
	}
	return users, nil
}

func scanUser(r pgx.Row) (*model.User, error) {
	var (
		u                      model.User
		username, email, phone *string
		externalID             *string
		lastLogin              *time.Time
	)
	err := r.Scan(&u.ID, &username, &email, &u.EmailVerified, &phone, &u.PhoneVerified, &u.PasswordHash,
		&u.Name, &u.GivenName, &u.FamilyName, &u.MiddleName, &u.Nickname, &u.PreferredUsername,
		&u.Profile, &u.Picture, &u.Website, &u.Gender, &u.Birthdate, &u.Zoneinfo, &u.Locale, &u.Address,
		&u.CreatedAt, &u.UpdatedAt,
		&u.Status, &externalID, &u.CustomData, &u.SourceType, &u.LoginsCount, &lastLogin, &u.LastIP)
	if err != nil {
		return nil, err
	}
	if len(u.CustomData) == 0 {
		u.CustomData = nil
	}
	u.ExternalID, u.LastLogin = fromNull(externalID), fromNullTime(lastLogin)
	u.Username, u.Email, u.Phone = fromNull(username), fromNull(email), fromNull(phone)
	u.CreatedAt, u.UpdatedAt = utc(u.CreatedAt), utc(u.UpdatedAt)
	return &u, nil
}
