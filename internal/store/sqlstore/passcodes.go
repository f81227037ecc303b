package sqlstore

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

const passcodeColumns = `channel, destination, code_hash, tries, created_at, expires_at`

// SavePasscode replaces the code of p's (channel, destination) and enqueues
// m, in one transaction; see passcode.Store.
func (s *Store) SavePasscode(ctx context.Context, p *model.Passcode, m *model.OutboxMessage) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		if _, err := c.Exec(ctx, `INSERT INTO passcodes (`+passcodeColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (channel, destination) DO UPDATE SET code_hash = excluded.code_hash,
				tries = excluded.tries, created_at = excluded.created_at, expires_at = excluded.expires_at`,
			s.passcodeValues(p)...); err != nil {
			return err
		}
		if m == nil {
			return nil
		}
		_, err := c.Exec(ctx, `INSERT INTO outbox (`+outboxColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, '')`,
			m.ID, m.Kind, m.Sealed, m.Attempts, s.tv(m.NextAttemptAt), s.tv(m.CreatedAt))
		return err
	})
	return s.e.Err("save verification code", err)
}

func (s *Store) passcodeValues(p *model.Passcode) []any {
	return []any{p.Channel, p.Destination, p.Hash, p.Tries, s.tv(p.CreatedAt), s.tv(p.ExpiresAt)}
}

func scanPasscode(r Row) (*model.Passcode, error) {
	var p model.Passcode
	err := r.Scan(&p.Channel, &p.Destination, &p.Hash, &p.Tries, td(&p.CreatedAt), td(&p.ExpiresAt))
	return &p, err
}

// UsePasscode judges a code under its row lock (on SQLite, the write
// lock), so that a concurrent judge of the same code sees this one's
// outcome: a consumed code is gone, a wrong try counted; see passcode.Store.
func (s *Store) UsePasscode(ctx context.Context, channel, destination, hash string, now time.Time, maxTries int, consume bool) error {
	const op = "use verification code"
	var outcome error
	err := s.e.InTx(ctx, func(c Conn) error {
		p, err := scanPasscode(c.QueryRow(ctx, `SELECT `+passcodeColumns+` FROM passcodes
			WHERE channel = $1 AND destination = $2 FOR UPDATE`, channel, destination))
		if err := s.e.Err(op, err); errors.Is(err, model.ErrNotFound) {
			outcome = model.ErrWrongCode
			return nil
		} else if err != nil {
			return err
		}
		right := subtle.ConstantTimeCompare([]byte(p.Hash), []byte(hash)) == 1
		switch {
		case !now.Before(p.ExpiresAt):
			outcome = model.ErrWrongCode
			if right {
				outcome = model.ErrCodeExpired
			}
			return nil
		case p.Tries >= maxTries:
			outcome = model.ErrWrongCode
			return nil
		case !right:
			outcome = model.ErrWrongCode
			_, err := c.Exec(ctx, `UPDATE passcodes SET tries = tries + 1 WHERE channel = $1 AND destination = $2`,
				channel, destination)
			return err
		case consume:
			_, err := c.Exec(ctx, `DELETE FROM passcodes WHERE channel = $1 AND destination = $2`, channel, destination)
			return err
		}
		return nil
	})
	if err != nil {
		return s.e.Err(op, err)
	}
	return outcome
}
