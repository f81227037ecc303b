package sqlstore

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const consentColumns = `user_id, client_id, scopes, created_at, updated_at`

// SaveConsent creates or replaces the user's consent for the client; a
// replaced consent keeps its creation time.
func (s *Store) SaveConsent(ctx context.Context, c *model.Consent) error {
	_, err := s.e.Writer().Exec(ctx, `INSERT INTO consents (`+consentColumns+`) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id, client_id) DO UPDATE SET scopes = excluded.scopes, updated_at = excluded.updated_at`,
		c.UserID, c.ClientID, s.e.List(c.Scopes), s.tv(c.CreatedAt), s.tv(c.UpdatedAt))
	return s.e.Err("save consent", err)
}

// GetConsent returns the user's consent for the client.
func (s *Store) GetConsent(ctx context.Context, userID, clientID string) (*model.Consent, error) {
	c, err := s.scanConsent(s.e.Reader().QueryRow(ctx, `SELECT `+consentColumns+` FROM consents
		WHERE user_id = $1 AND client_id = $2`, userID, clientID))
	if err != nil {
		return nil, s.e.Err("get consent", err)
	}
	return c, nil
}

// ListConsents returns the user's consents, oldest first.
func (s *Store) ListConsents(ctx context.Context, userID string) ([]*model.Consent, error) {
	out, err := collect(ctx, s.e.Reader(), s.scanConsent, `SELECT `+consentColumns+` FROM consents
		WHERE user_id = $1 ORDER BY created_at, client_id`, userID)
	if err != nil {
		return nil, s.e.Err("list consents", err)
	}
	return out, nil
}

// WithdrawConsent deletes the user's consent for the client and, in the same
// transaction, revokes the user's tokens for the client and deletes their
// unredeemed codes for it (see pages.ConsentStore). The codes go first and
// the live refresh tokens are locked before the revocation, so that a
// redemption or rotation in flight either finishes first, and what it
// issued is then visible to the revocation, or waits and finds nothing
// live. On SQLite the lock is the transaction's own (BEGIN IMMEDIATE): the
// locking read only reads there.
func (s *Store) WithdrawConsent(ctx context.Context, userID, clientID string, now time.Time) (int, error) {
	var revoked int64
	err := s.e.InTx(ctx, func(c Conn) error {
		if _, err := c.Exec(ctx, `DELETE FROM consents WHERE user_id = $1 AND client_id = $2`,
			userID, clientID); err != nil {
			return err
		}
		if _, err := c.Exec(ctx, `DELETE FROM auth_codes WHERE user_id = $1 AND client_id = $2
			AND redeemed_at IS NULL`, userID, clientID); err != nil {
			return err
		}
		// In id order, so that two such locking reads cannot deadlock.
		if _, err := c.Exec(ctx, `SELECT id FROM tokens WHERE user_id = $1 AND client_id = $2 AND kind = $3
			AND revoked_at IS NULL ORDER BY id FOR UPDATE`, userID, clientID, model.TokenRefresh); err != nil {
			return err
		}
		var err error
		revoked, err = c.Exec(ctx, `UPDATE tokens SET revoked_at = $3
			WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL`, userID, clientID, s.tv(now))
		return err
	})
	if err != nil {
		return 0, s.e.Err("withdraw consent", err)
	}
	return int(revoked), nil
}

func (s *Store) scanConsent(r Row) (*model.Consent, error) {
	var c model.Consent
	if err := r.Scan(&c.UserID, &c.ClientID, s.e.ListDest(&c.Scopes), td(&c.CreatedAt), td(&c.UpdatedAt)); err != nil {
		return nil, err
	}
	c.Scopes = nilIfEmpty(c.Scopes)
	return &c, nil
}
