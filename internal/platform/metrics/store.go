package metrics

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// timedStore times the store operations a request waits for. Every other
// method, and any added to store.Store later, passes through untimed.
type timedStore struct {
	store.Store
	m *Metrics
}

// Store returns st with the request path's operations timed in
// genauth_db_query_duration_seconds.
func (m *Metrics) Store(st store.Store) store.Store { return &timedStore{Store: st, m: m} }

func (s *timedStore) since(op string, start time.Time) {
	s.m.query.WithLabelValues(op).Observe(time.Since(start).Seconds())
}

func (s *timedStore) Ping(ctx context.Context) error {
	defer s.since("ping", time.Now())
	return s.Store.Ping(ctx)
}

func (s *timedStore) GetApplication(ctx context.Context, id string) (*model.Application, error) {
	defer s.since("get_application", time.Now())
	return s.Store.GetApplication(ctx, id)
}

func (s *timedStore) GetUser(ctx context.Context, id string) (*model.User, error) {
	defer s.since("get_user", time.Now())
	return s.Store.GetUser(ctx, id)
}

func (s *timedStore) FindUserByLogin(ctx context.Context, login string) (*model.User, error) {
	defer s.since("find_user_by_login", time.Now())
	return s.Store.FindUserByLogin(ctx, login)
}

func (s *timedStore) CreateUser(ctx context.Context, u *model.User) error {
	defer s.since("create_user", time.Now())
	return s.Store.CreateUser(ctx, u)
}

func (s *timedStore) CreateSession(ctx context.Context, sess *model.Session) error {
	defer s.since("create_session", time.Now())
	return s.Store.CreateSession(ctx, sess)
}

func (s *timedStore) GetSession(ctx context.Context, idHash string, now time.Time) (*model.Session, error) {
	defer s.since("get_session", time.Now())
	return s.Store.GetSession(ctx, idHash, now)
}

func (s *timedStore) TouchSession(ctx context.Context, idHash string, now time.Time) error {
	defer s.since("touch_session", time.Now())
	return s.Store.TouchSession(ctx, idHash, now)
}

func (s *timedStore) DeleteSession(ctx context.Context, idHash string) error {
	defer s.since("delete_session", time.Now())
	return s.Store.DeleteSession(ctx, idHash)
}

func (s *timedStore) CreateAuthCode(ctx context.Context, c *model.AuthCode) error {
	defer s.since("create_auth_code", time.Now())
	return s.Store.CreateAuthCode(ctx, c)
}

func (s *timedStore) GetAuthCode(ctx context.Context, hash string, now time.Time) (*model.AuthCode, error) {
	defer s.since("get_auth_code", time.Now())
	return s.Store.GetAuthCode(ctx, hash, now)
}

func (s *timedStore) RedeemAuthCode(ctx context.Context, hash string, now time.Time, issued []*model.Token) error {
	defer s.since("redeem_auth_code", time.Now())
	return s.Store.RedeemAuthCode(ctx, hash, now, issued)
}

func (s *timedStore) CreateTokens(ctx context.Context, tokens ...*model.Token) error {
	defer s.since("create_tokens", time.Now())
	return s.Store.CreateTokens(ctx, tokens...)
}

func (s *timedStore) GetToken(ctx context.Context, hash string) (*model.Token, error) {
	defer s.since("get_token", time.Now())
	return s.Store.GetToken(ctx, hash)
}

func (s *timedStore) RefreshTokens(ctx context.Context, refreshID string, now time.Time, issued []*model.Token) error {
	defer s.since("refresh_tokens", time.Now())
	return s.Store.RefreshTokens(ctx, refreshID, now, issued)
}

func (s *timedStore) RotateRefreshToken(ctx context.Context, refreshID string, now time.Time, grace time.Duration, issued []*model.Token) error {
	defer s.since("rotate_refresh_token", time.Now())
	return s.Store.RotateRefreshToken(ctx, refreshID, now, grace, issued)
}

func (s *timedStore) RecordTokenUse(ctx context.Context, hash string, now time.Time) error {
	defer s.since("record_token_use", time.Now())
	return s.Store.RecordTokenUse(ctx, hash, now)
}

func (s *timedStore) RevokeToken(ctx context.Context, hash string, now time.Time) (*model.Token, error) {
	defer s.since("revoke_token", time.Now())
	return s.Store.RevokeToken(ctx, hash, now)
}

func (s *timedStore) ListSigningKeys(ctx context.Context) ([]*model.SigningKey, error) {
	defer s.since("list_signing_keys", time.Now())
	return s.Store.ListSigningKeys(ctx)
}

func (s *timedStore) GetConsent(ctx context.Context, userID, clientID string) (*model.Consent, error) {
	defer s.since("get_consent", time.Now())
	return s.Store.GetConsent(ctx, userID, clientID)
}

func (s *timedStore) SaveConsent(ctx context.Context, c *model.Consent) error {
	defer s.since("save_consent", time.Now())
	return s.Store.SaveConsent(ctx, c)
}

func (s *timedStore) RecordLogin(ctx context.Context, rec *model.LoginRecord) error {
	defer s.since("record_login", time.Now())
	return s.Store.RecordLogin(ctx, rec)
}

func (s *timedStore) HitThrottle(ctx context.Context, key string, now time.Time, window time.Duration) (*model.Throttle, error) {
	defer s.since("hit_throttle", time.Now())
	return s.Store.HitThrottle(ctx, key, now, window)
}

func (s *timedStore) ReserveAttempt(ctx context.Context, now time.Time, window time.Duration, keys ...store.ThrottleKey) ([]*model.Throttle, bool, error) {
	defer s.since("reserve_attempt", time.Now())
	return s.Store.ReserveAttempt(ctx, now, window, keys...)
}

func (s *timedStore) UseNonce(ctx context.Context, nonce string, now, expires time.Time) error {
	defer s.since("use_nonce", time.Now())
	return s.Store.UseNonce(ctx, nonce, now, expires)
}

func (s *timedStore) AppendAuditEvents(ctx context.Context, events ...*model.AuditEvent) error {
	defer s.since("append_audit_events", time.Now())
	return s.Store.AppendAuditEvents(ctx, events...)
}
