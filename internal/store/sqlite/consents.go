package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// SaveConsent creates or replaces the user's consent for the client.
func (s *Store) SaveConsent(ctx context.Context, c *model.Consent) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO consents (user_id, client_id, scopes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, client_id) DO UPDATE SET scopes = excluded.scopes, updated_at = excluded.updated_at`,
		c.UserID, c.ClientID, jsonList(c.Scopes), toMS(c.CreatedAt), toMS(c.UpdatedAt))
	return mapErr("save consent", err)
}

// GetConsent returns the user's consent for the client.
func (s *Store) GetConsent(ctx context.Context, userID, clientID string) (*model.Consent, error) {
	row := s.read.QueryRowContext(ctx, `SELECT user_id, client_id, scopes, created_at, updated_at
		FROM consents WHERE user_id = ? AND client_id = ?`, userID, clientID)
	c, err := scanConsent(row)
	return c, mapErr("get consent", err)
}

// ListConsents returns the user's consents, oldest first.
func (s *Store) ListConsents(ctx context.Context, userID string) ([]*model.Consent, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT user_id, client_id, scopes, created_at, updated_at
		FROM consents WHERE user_id = ? ORDER BY created_at, client_id`, userID)
	if err != nil {
		return nil, mapErr("list consents", err)
	}
	defer rows.Close()
	var out []*model.Consent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, mapErr("list consents", err)
		}
		out = append(out, c)
	}
	return out, mapErr("list consents", rows.Err())
}

// WithdrawConsent deletes the user's consent for the client and, in the same
// immediate transaction, revokes the user's tokens for the client and deletes
// their unredeemed codes for it (see pages.ConsentStore).
func (s *Store) WithdrawConsent(ctx context.Context, userID, clientID string, now time.Time) (int, error) {
	var revoked int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM consents WHERE user_id = ? AND client_id = ?`, userID, clientID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM auth_codes WHERE user_id = ? AND client_id = ? AND redeemed_at IS NULL`,
			userID, clientID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ?
			WHERE user_id = ? AND client_id = ? AND revoked_at IS NULL`, toMS(now), userID, clientID)
		if err != nil {
			return err
		}
		revoked, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, mapErr("withdraw consent", err)
	}
	return int(revoked), nil
}

func scanConsent(r scanner) (*model.Consent, error) {
	var (
		c                model.Consent
		scopes           string
		created, updated int64
	)
	if err := r.Scan(&c.UserID, &c.ClientID, &scopes, &created, &updated); err != nil {
		return nil, err
	}
	var err error
	if c.Scopes, err = parseList(scopes); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return &c, nil
}
