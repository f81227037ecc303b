package sqlstore

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// RecordLogin appends to the login history and updates the user's login counters.
func (s *Store) RecordLogin(ctx context.Context, rec *model.LoginRecord) error {
	err := s.e.InTx(ctx, func(c Conn) error {
		err := userFound(c.Exec(ctx, `UPDATE users SET logins_count = logins_count + 1, last_login = $1, last_ip = $2
			WHERE id = $3`, s.tv(rec.Time), rec.ClientIP, rec.UserID))
		if err != nil {
			return err
		}
		_, err = c.Exec(ctx, `INSERT INTO login_history (user_id, app_id, client_ip, user_agent, time, method)
			VALUES ($1, $2, $3, $4, $5, $6)`, rec.UserID, rec.AppID, rec.ClientIP, rec.UserAgent, s.tv(rec.Time), rec.Method)
		return err
	})
	return s.e.Err("record login", err)
}

// ListLogins returns a page of login history, newest first, and the total.
func (s *Store) ListLogins(ctx context.Context, q store.LoginQuery) ([]*model.LoginRecord, int, error) {
	var a numberedArgs
	where := "user_id = " + a.add(q.UserID)
	if q.AppID != "" {
		where += " AND app_id = " + a.add(q.AppID)
	}
	if q.ClientIP != "" {
		where += " AND client_ip = " + a.add(q.ClientIP)
	}
	if !q.Start.IsZero() {
		where += " AND time >= " + a.add(s.tv(q.Start))
	}
	if !q.End.IsZero() {
		where += " AND time <= " + a.add(s.tv(q.End))
	}
	rowOrder := s.e.InsertOrder()
	out, total, err := countedPage(ctx, s.e.Reader(), func(r Row) (*model.LoginRecord, error) {
		var rec model.LoginRecord
		return &rec, r.Scan(&rec.UserID, &rec.AppID, &rec.ClientIP, &rec.UserAgent, td(&rec.Time), &rec.Method)
	}, `user_id, app_id, client_ip, user_agent, time, method`, "login_history WHERE "+where,
		"time DESC, "+rowOrder+" DESC", a, q.Offset, q.Limit)
	if err != nil {
		return nil, 0, s.e.Err("list logins", err)
	}
	return out, total, nil
}

// ActiveClients returns the clients the user holds an active token for.
func (s *Store) ActiveClients(ctx context.Context, userID string, now time.Time) ([]string, error) {
	ids, err := collect(ctx, s.e.Reader(), func(r Row) (string, error) {
		var id string
		err := r.Scan(&id)
		return id, err
	}, `SELECT DISTINCT client_id FROM tokens
		WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY client_id`, userID, s.tv(now))
	if err != nil {
		return nil, s.e.Err("active clients", err)
	}
	return ids, nil
}

// ActiveUsers returns a page of the users holding an active token of the client.
func (s *Store) ActiveUsers(ctx context.Context, clientID string, now time.Time, offset, limit int) ([]*model.User, int, error) {
	list, total, err := countedPage(ctx, s.e.Reader(), scanUser, userColumns, `users WHERE id IN (SELECT user_id FROM tokens
		WHERE client_id = $1 AND revoked_at IS NULL AND expires_at > $2)`,
		"created_at, "+s.e.InsertOrder(), []any{clientID, s.tv(now)}, offset, limit)
	if err != nil {
		return nil, 0, s.e.Err("active users", err)
	}
	return list, total, nil
}
