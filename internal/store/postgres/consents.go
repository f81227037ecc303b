package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
)

const consentColumns = `user_id, client_id, scopes, created_at, updated_at`

func consentValues(c *model.Consent) []any {
	return []any{c.UserID, c.ClientID, list(c.Scopes), c.CreatedAt, c.UpdatedAt}
}

// SaveConsent creates or replaces the user's consent for the client; a
// replaced consent keeps its creation time.
func (s *Store) SaveConsent(ctx context.Context, c *model.Consent) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO consents (`+consentColumns+`) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id, client_id) DO UPDATE SET scopes = excluded.scopes, updated_at = excluded.updated_at`,
		consentValues(c)...)
	return mapErr("save consent", err)
}

// GetConsent returns the user's consent for the client.
func (s *Store) GetConsent(ctx context.Context, userID, clientID string) (*model.Consent, error) {
	c, err := scanConsent(s.pool.QueryRow(ctx, `SELECT `+consentColumns+` FROM consents
		WHERE user_id = $1 AND client_id = $2`, userID, clientID))
	if err != nil {
		return nil, mapErr("get consent", err)
	}
	return c, nil
}

// ListConsents returns the user's consents, oldest first.
func (s *Store) ListConsents(ctx context.Context, userID string) ([]*model.Consent, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+consentColumns+` FROM consents WHERE user_id = $1
		ORDER BY created_at, client_id`, userID)
	if err != nil {
		return nil, mapErr("list consents", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.Consent, error) { return scanConsent(r) })
	if err != nil {
		return nil, mapErr("list consents", err)
	}
	return out, nil
}

// WithdrawConsent deletes the user's consent for the client and, in the same
// transaction, revokes the user's tokens for the client and deletes their
// unredeemed codes for it (see pages.ConsentStore). The codes go first and the live
// refresh tokens are locked before the revocation, so that a redemption or
// rotation in flight either finishes first, and what it issued is then
// visible to the revocation, or waits and finds nothing live.
func (s *Store) WithdrawConsent(ctx context.Context, userID, clientID string, now time.Time) (int, error) {
	var revoked int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM consents WHERE user_id = $1 AND client_id = $2`, userID, clientID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM auth_codes WHERE user_id = $1 AND client_id = $2 AND redeemed_at IS NULL`,
			userID, clientID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT id FROM tokens WHERE user_id = $1 AND client_id = $2 AND kind = $3
			AND revoked_at IS NULL ORDER BY id FOR UPDATE`, userID, clientID, model.TokenRefresh); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE tokens SET revoked_at = $3
			WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL`, userID, clientID, now)
		revoked = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, mapErr("withdraw consent", err)
	}
	return int(revoked), nil
}

func scanConsent(r pgx.Row) (*model.Consent, error) {
	var c model.Consent
	if err := r.Scan(&c.UserID, &c.ClientID, &c.Scopes, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	c.Scopes = fromList(c.Scopes)
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return &c, nil
}
