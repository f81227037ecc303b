package sqlstore

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const factorColumns = `id, user_id, type, name, address, credential_id, sealed, counter, created_at, last_used_at`

// CreateFactor stores f; a taken id, a second factor of a kind the user has
// (passkeys excepted) or a taken credential id gives model.ErrConflict.
func (s *Store) CreateFactor(ctx context.Context, f *model.Factor) error {
	_, err := s.e.Writer().Exec(ctx, `INSERT INTO mfa_factors (`+factorColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, s.factorValues(f)...)
	return s.e.Err("create factor", err)
}

func (s *Store) factorValues(f *model.Factor) []any {
	return []any{f.ID, f.UserID, f.Type, f.Name, f.Address, nullIfEmpty(f.CredentialID), f.Sealed, f.Counter,
		s.tv(f.CreatedAt), s.ntv(f.LastUsedAt)}
}

func scanFactor(r Row) (*model.Factor, error) {
	var f model.Factor
	err := r.Scan(&f.ID, &f.UserID, &f.Type, &f.Name, &f.Address, nd(&f.CredentialID), &f.Sealed, &f.Counter,
		td(&f.CreatedAt), td(&f.LastUsedAt))
	return &f, err
}

// ListFactors returns the user's factors, oldest first.
func (s *Store) ListFactors(ctx context.Context, userID string) ([]*model.Factor, error) {
	rows, err := s.e.Reader().Query(ctx, `SELECT `+factorColumns+` FROM mfa_factors WHERE user_id = $1
		ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, s.e.Err("list factors", err)
	}
	defer rows.Close()
	var out []*model.Factor
	for rows.Next() {
		f, err := scanFactor(rows)
		if err != nil {
			return nil, s.e.Err("list factors", err)
		}
		out = append(out, f)
	}
	return out, s.e.Err("list factors", rows.Err())
}

// GetFactor returns the factor with this id.
func (s *Store) GetFactor(ctx context.Context, id string) (*model.Factor, error) {
	f, err := scanFactor(s.e.Reader().QueryRow(ctx, `SELECT `+factorColumns+` FROM mfa_factors WHERE id = $1`, id))
	if err != nil {
		return nil, s.e.Err("get factor", err)
	}
	return f, nil
}

// FactorByCredential returns the passkey with this credential id.
func (s *Store) FactorByCredential(ctx context.Context, credentialID string) (*model.Factor, error) {
	f, err := scanFactor(s.e.Reader().QueryRow(ctx, `SELECT `+factorColumns+` FROM mfa_factors
		WHERE credential_id = $1`, credentialID))
	if err != nil {
		return nil, s.e.Err("find passkey", err)
	}
	return f, nil
}

// AdvanceFactor records a use of factor id at usedAt with counter, only
// when counter is above the stored one (or both are 0: an authenticator
// without a signature counter), in one statement: of two uses with
// the same counter exactly one succeeds, the other gets
// model.ErrWrongCode. An unknown factor gives model.ErrNotFound.
func (s *Store) AdvanceFactor(ctx context.Context, id string, counter int64, usedAt time.Time) error {
	const op = "advance factor"
	n, err := s.e.Writer().Exec(ctx, `UPDATE mfa_factors SET counter = $2, last_used_at = $3
		WHERE id = $1 AND (counter < $2 OR ($2 = 0 AND counter = 0))`, id, counter, s.tv(usedAt))
	if err != nil || n == 1 {
		return s.e.Err(op, err)
	}
	if _, err := s.GetFactor(ctx, id); err != nil {
		return err
	}
	return model.ErrWrongCode
}

// DeleteFactor removes the user's factor id; model.ErrNotFound when the user
// has no such factor.
func (s *Store) DeleteFactor(ctx context.Context, userID, id string) error {
	return s.e.Err("delete factor", userFound(s.e.Writer().Exec(ctx,
		`DELETE FROM mfa_factors WHERE id = $1 AND user_id = $2`, id, userID)))
}

// ResetFactors removes every factor and recovery code of the user in one
// transaction and says how many factors there were.
func (s *Store) ResetFactors(ctx context.Context, userID string) (int, error) {
	var n int64
	err := s.e.InTx(ctx, func(c Conn) error {
		var err error
		if n, err = c.Exec(ctx, `DELETE FROM mfa_factors WHERE user_id = $1`, userID); err != nil {
			return err
		}
		_, err = c.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID)
		return err
	})
	return int(n), s.e.Err("reset factors", err)
}

// ReplaceRecoveryCodes makes hashes the user's recovery codes, the earlier
// ones, used or not, deleted in the same transaction.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string, now time.Time) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		if _, err := c.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := c.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at, used_at)
				VALUES ($1, $2, $3, NULL)`, userID, h, s.tv(now)); err != nil {
				return err
			}
		}
		return nil
	})
	return s.e.Err("replace recovery codes", err)
}

// UseRecoveryCode marks the user's unused code with this hash used at now,
// in one statement, so that of concurrent uses one succeeds; any other
// outcome is model.ErrWrongCode.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	n, err := s.e.Writer().Exec(ctx, `UPDATE recovery_codes SET used_at = $3
		WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, hash, s.tv(now))
	if err != nil {
		return s.e.Err("use recovery code", err)
	}
	if n == 0 {
		return model.ErrWrongCode
	}
	return nil
}

// CountRecoveryCodes says how many of the user's recovery codes are unused.
func (s *Store) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.e.Reader().QueryRow(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`,
		userID).Scan(&n)
	return n, s.e.Err("count recovery codes", err)
}
