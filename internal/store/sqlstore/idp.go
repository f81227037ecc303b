package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/opengenauth/genauth/internal/model"
)

// Upstream identity providers (idp.Store). There are no foreign keys: a
// row that others name (an ExtIdp, a connection, an application, a user)
// is read FOR SHARE before they are written, and its deletion removes them
// in the same transaction, so that neither can leave the other behind.

const (
	extIdpColumns   = `id, name, type, logo, created_at`
	connColumns     = `id, ext_idp_id, type, identifier, display_name, logo, login_only, fields, sealed_secret, created_at, updated_at`
	identityColumns = `id, user_id, ext_idp_id, conn_id, provider, subject, profile, sealed_tokens, created_at, updated_at`
	enabledColumns  = `app_id, conn_id`
)

// CreateExtIdp stores p; a taken id gives model.ErrConflict.
func (s *Store) CreateExtIdp(ctx context.Context, p *model.ExtIdp) error {
	_, err := s.e.Writer().Exec(ctx, `INSERT INTO ext_idps (`+extIdpColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		s.extIdpValues(p)...)
	return s.e.Err("create identity provider", err)
}

func (s *Store) extIdpValues(p *model.ExtIdp) []any {
	return []any{p.ID, p.Name, p.Type, p.Logo, s.tv(p.CreatedAt)}
}

func scanExtIdp(r Row) (*model.ExtIdp, error) {
	var p model.ExtIdp
	err := r.Scan(&p.ID, &p.Name, &p.Type, &p.Logo, td(&p.CreatedAt))
	return &p, err
}

// GetExtIdp returns the ExtIdp with this id.
func (s *Store) GetExtIdp(ctx context.Context, id string) (*model.ExtIdp, error) {
	p, err := scanExtIdp(s.e.Reader().QueryRow(ctx, `SELECT `+extIdpColumns+` FROM ext_idps WHERE id = $1`, id))
	if err != nil {
		return nil, s.e.Err("get identity provider", err)
	}
	return p, nil
}

// ListExtIdps returns every ExtIdp, oldest first.
func (s *Store) ListExtIdps(ctx context.Context) ([]*model.ExtIdp, error) {
	list, err := collect(ctx, s.e.Reader(), scanExtIdp, `SELECT `+extIdpColumns+` FROM ext_idps ORDER BY created_at, id`)
	return list, s.e.Err("list identity providers", err)
}

// UpdateExtIdp replaces the name and logo of the ExtIdp p.ID.
func (s *Store) UpdateExtIdp(ctx context.Context, p *model.ExtIdp) error {
	return s.e.Err("update identity provider", changedRow(s.e.Writer().Exec(ctx,
		`UPDATE ext_idps SET name = $2, logo = $3 WHERE id = $1`, p.ID, p.Name, p.Logo)))
}

// DeleteExtIdp deletes the ExtIdp, its connections, their enablements and
// its identities in one transaction.
func (s *Store) DeleteExtIdp(ctx context.Context, id string) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		if err := changedRow(c.Exec(ctx, `DELETE FROM ext_idps WHERE id = $1`, id)); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM app_ext_idp_conns WHERE conn_id IN (SELECT id FROM ext_idp_conns WHERE ext_idp_id = $1)`,
			`DELETE FROM ext_idp_conns WHERE ext_idp_id = $1`,
			`DELETE FROM user_identities WHERE ext_idp_id = $1`,
		} {
			if _, err := c.Exec(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
	return s.e.Err("delete identity provider", err)
}

// CreateExtIdpConn stores c under its ExtIdp, whose type it takes.
func (s *Store) CreateExtIdpConn(ctx context.Context, conn *model.ExtIdpConn) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		if err := c.QueryRow(ctx, `SELECT type FROM ext_idps WHERE id = $1 FOR SHARE`, conn.ExtIdpID).
			Scan(&conn.Type); err != nil {
			return err
		}
		v, err := s.connValues(conn)
		if err != nil {
			return err
		}
		_, err = c.Exec(ctx, `INSERT INTO ext_idp_conns (`+connColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, v...)
		return err
	})
	return s.e.Err("create connection", err)
}

// connValues are c's column values in connColumns order; the fields are
// JSON text (jsonb on PostgreSQL).
func (s *Store) connValues(c *model.ExtIdpConn) ([]any, error) {
	fields, err := json.Marshal(c.Fields)
	if err != nil {
		return nil, err
	}
	return []any{c.ID, c.ExtIdpID, c.Type, c.Identifier, c.DisplayName, c.Logo, c.LoginOnly, string(fields),
		nilIfNone(c.SealedSecret), s.tv(c.CreatedAt), s.tv(c.UpdatedAt)}, nil
}

// nilIfNone stores an absent sealed value as NULL.
func nilIfNone(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

func scanConn(r Row) (*model.ExtIdpConn, error) {
	var (
		c      model.ExtIdpConn
		fields string
	)
	err := r.Scan(&c.ID, &c.ExtIdpID, &c.Type, &c.Identifier, &c.DisplayName, &c.Logo, &c.LoginOnly, &fields,
		&c.SealedSecret, td(&c.CreatedAt), td(&c.UpdatedAt))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
		return nil, fmt.Errorf("corrupt fields column: %w", err)
	}
	return &c, nil
}

// GetExtIdpConn returns the connection with this id.
func (s *Store) GetExtIdpConn(ctx context.Context, id string) (*model.ExtIdpConn, error) {
	c, err := scanConn(s.e.Reader().QueryRow(ctx, `SELECT `+connColumns+` FROM ext_idp_conns WHERE id = $1`, id))
	if err != nil {
		return nil, s.e.Err("get connection", err)
	}
	return c, nil
}

// GetExtIdpConnByIdentifier returns the connection with this identifier.
func (s *Store) GetExtIdpConnByIdentifier(ctx context.Context, identifier string) (*model.ExtIdpConn, error) {
	c, err := scanConn(s.e.Reader().QueryRow(ctx, `SELECT `+connColumns+` FROM ext_idp_conns
		WHERE identifier = $1`, identifier))
	if err != nil {
		return nil, s.e.Err("get connection", err)
	}
	return c, nil
}

// ListExtIdpConns returns the connections of extIdpID ("" all), oldest first.
func (s *Store) ListExtIdpConns(ctx context.Context, extIdpID string) ([]*model.ExtIdpConn, error) {
	q, args := `SELECT `+connColumns+` FROM ext_idp_conns ORDER BY created_at, id`, []any(nil)
	if extIdpID != "" {
		q, args = `SELECT `+connColumns+` FROM ext_idp_conns WHERE ext_idp_id = $1 ORDER BY created_at, id`,
			[]any{extIdpID}
	}
	list, err := collect(ctx, s.e.Reader(), scanConn, q, args...)
	return list, s.e.Err("list connections", err)
}

// UpdateExtIdpConn replaces what may change of the connection c.ID.
func (s *Store) UpdateExtIdpConn(ctx context.Context, c *model.ExtIdpConn) error {
	v, err := s.connValues(c)
	if err != nil {
		return s.e.Err("update connection", err)
	}
	// connValues: id, ext_idp_id, type, identifier, display_name, logo,
	// login_only, fields, sealed_secret, created_at, updated_at.
	return s.e.Err("update connection", changedRow(s.e.Writer().Exec(ctx, `UPDATE ext_idp_conns
		SET identifier = $2, display_name = $3, logo = $4, login_only = $5, fields = $6, sealed_secret = $7,
		updated_at = $8 WHERE id = $1`, v[0], v[3], v[4], v[5], v[6], v[7], v[8], v[10])))
}

// DeleteExtIdpConn deletes the connection and its enablements.
func (s *Store) DeleteExtIdpConn(ctx context.Context, id string) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		if err := changedRow(c.Exec(ctx, `DELETE FROM ext_idp_conns WHERE id = $1`, id)); err != nil {
			return err
		}
		_, err := c.Exec(ctx, `DELETE FROM app_ext_idp_conns WHERE conn_id = $1`, id)
		return err
	})
	return s.e.Err("delete connection", err)
}

// SetConnEnabled enables or disables connID for appID.
func (s *Store) SetConnEnabled(ctx context.Context, connID, appID string, enabled bool) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		var id string
		if err := c.QueryRow(ctx, `SELECT id FROM applications WHERE id = $1 FOR SHARE`, appID).Scan(&id); err != nil {
			return err
		}
		if err := c.QueryRow(ctx, `SELECT id FROM ext_idp_conns WHERE id = $1 FOR SHARE`, connID).Scan(&id); err != nil {
			return err
		}
		q := `DELETE FROM app_ext_idp_conns WHERE app_id = $1 AND conn_id = $2`
		if enabled {
			q = `INSERT INTO app_ext_idp_conns (` + enabledColumns + `) VALUES ($1, $2) ON CONFLICT DO NOTHING`
		}
		_, err := c.Exec(ctx, q, appID, connID)
		return err
	})
	return s.e.Err("enable connection", err)
}

// ListEnabledConns returns the connections appID enables, oldest first.
func (s *Store) ListEnabledConns(ctx context.Context, appID string) ([]*model.ExtIdpConn, error) {
	list, err := collect(ctx, s.e.Reader(), scanConn, `SELECT `+connColumns+` FROM ext_idp_conns
		WHERE id IN (SELECT conn_id FROM app_ext_idp_conns WHERE app_id = $1) ORDER BY created_at, id`, appID)
	return list, s.e.Err("list enabled connections", err)
}

// ListConnApps returns the ids of the applications enabling connID, sorted.
func (s *Store) ListConnApps(ctx context.Context, connID string) ([]string, error) {
	list, err := collect(ctx, s.e.Reader(), func(r Row) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT app_id FROM app_ext_idp_conns WHERE conn_id = $1 ORDER BY app_id`, connID)
	return list, s.e.Err("list connection applications", err)
}

// CreateIdentity stores i once its user and ExtIdp are found.
func (s *Store) CreateIdentity(ctx context.Context, i *model.Identity) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		var id string
		if err := c.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR SHARE`, i.UserID).Scan(&id); err != nil {
			return err
		}
		return s.insertIdentity(ctx, c, i)
	})
	return s.e.Err("create identity", err)
}

// CreateUserWithIdentity stores u and i in one transaction.
func (s *Store) CreateUserWithIdentity(ctx context.Context, u *model.User, i *model.Identity) error {
	v, err := s.userValues(u)
	if err != nil {
		return s.e.Err("create user with identity", err)
	}
	err = s.e.InTx(ctx, func(c Conn) error {
		if _, err := c.Exec(ctx, insertUser, v...); err != nil {
			return err
		}
		return s.insertIdentity(ctx, c, i)
	})
	return s.e.Err("create user with identity", err)
}

// insertIdentity stores i in c's transaction once its ExtIdp is found.
func (s *Store) insertIdentity(ctx context.Context, c Conn, i *model.Identity) error {
	var id string
	if err := c.QueryRow(ctx, `SELECT id FROM ext_idps WHERE id = $1 FOR SHARE`, i.ExtIdpID).Scan(&id); err != nil {
		return err
	}
	v, err := s.identityValues(i)
	if err != nil {
		return err
	}
	_, err = c.Exec(ctx, `INSERT INTO user_identities (`+identityColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, v...)
	return err
}

// identityValues are i's column values in identityColumns order; the
// profile is JSON text (jsonb on PostgreSQL).
func (s *Store) identityValues(i *model.Identity) ([]any, error) {
	profile := []byte("{}") // the column is NOT NULL
	if i.Profile != nil {
		var err error
		if profile, err = json.Marshal(i.Profile); err != nil {
			return nil, err
		}
	}
	return []any{i.ID, i.UserID, i.ExtIdpID, i.ConnID, i.Provider, i.Subject, string(profile),
		nilIfNone(i.SealedTokens), s.tv(i.CreatedAt), s.tv(i.UpdatedAt)}, nil
}

func scanIdentity(r Row) (*model.Identity, error) {
	var (
		i       model.Identity
		profile string
	)
	err := r.Scan(&i.ID, &i.UserID, &i.ExtIdpID, &i.ConnID, &i.Provider, &i.Subject, &profile, &i.SealedTokens,
		td(&i.CreatedAt), td(&i.UpdatedAt))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(profile), &i.Profile); err != nil {
		return nil, fmt.Errorf("corrupt profile column: %w", err)
	}
	if len(i.Profile) == 0 {
		i.Profile = nil
	}
	return &i, nil
}

// FindIdentity returns the identity of the upstream account subject at extIdpID.
func (s *Store) FindIdentity(ctx context.Context, extIdpID, subject string) (*model.Identity, error) {
	i, err := scanIdentity(s.e.Reader().QueryRow(ctx, `SELECT `+identityColumns+` FROM user_identities
		WHERE ext_idp_id = $1 AND subject = $2`, extIdpID, subject))
	if err != nil {
		return nil, s.e.Err("find identity", err)
	}
	return i, nil
}

// ListIdentities returns the user's identities, oldest first.
func (s *Store) ListIdentities(ctx context.Context, userID string) ([]*model.Identity, error) {
	list, err := collect(ctx, s.e.Reader(), scanIdentity, `SELECT `+identityColumns+` FROM user_identities
		WHERE user_id = $1 ORDER BY created_at, id`, userID)
	return list, s.e.Err("list identities", err)
}

// UpdateIdentity replaces what a sign-in changes of the identity i.ID.
func (s *Store) UpdateIdentity(ctx context.Context, i *model.Identity) error {
	v, err := s.identityValues(i)
	if err != nil {
		return s.e.Err("update identity", err)
	}
	// identityValues: id, user_id, ext_idp_id, conn_id, provider, subject,
	// profile, sealed_tokens, created_at, updated_at.
	return s.e.Err("update identity", changedRow(s.e.Writer().Exec(ctx, `UPDATE user_identities
		SET conn_id = $2, profile = $3, sealed_tokens = $4, updated_at = $5 WHERE id = $1`,
		v[0], v[3], v[6], v[7], v[9])))
}

// DeleteIdentity removes the user's identity at extIdpID.
func (s *Store) DeleteIdentity(ctx context.Context, userID, extIdpID string, keepOne bool) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		if keepOne {
			// The user is locked so that two removals at once cannot each
			// leave the other's identity as the last.
			var id string
			if err := c.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&id); err != nil {
				return err
			}
			var n int
			if err := c.QueryRow(ctx, `SELECT count(*) FROM user_identities WHERE user_id = $1`, userID).Scan(&n); err != nil {
				return err
			}
			if n == 1 {
				var one int
				err := c.QueryRow(ctx, `SELECT 1 FROM user_identities WHERE user_id = $1 AND ext_idp_id = $2`, userID, extIdpID).Scan(&one)
				if err != nil {
					return err
				}
				return model.ErrConflict
			}
		}
		return changedRow(c.Exec(ctx, `DELETE FROM user_identities WHERE user_id = $1 AND ext_idp_id = $2`, userID, extIdpID))
	})
	return s.e.Err("delete identity", err)
}
