package server

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// Timed returns st with every operation timed: observe gets the
// operation's name, the method's in snake_case (get_token), and how long it
// took. Each method is written out, none reaches st untimed by embedding:
// a method added to Store does not compile here until it is timed, and
// TestTimedStoreTimesEveryMethod checks that each one is.
func Timed(st Store, observe func(op string, d time.Duration)) Store {
	return &timedStore{st: st, observe: observe}
}

type timedStore struct {
	st      Store
	observe func(op string, d time.Duration)
}

func (s *timedStore) since(op string, start time.Time) { s.observe(op, time.Since(start)) }

func (s *timedStore) Ping(ctx context.Context) error {
	defer s.since("ping", time.Now())
	return s.st.Ping(ctx)
}

func (s *timedStore) CheckWrite(ctx context.Context) error {
	defer s.since("check_write", time.Now())
	return s.st.CheckWrite(ctx)
}

func (s *timedStore) CreateApplication(ctx context.Context, app *model.Application) error {
	defer s.since("create_application", time.Now())
	return s.st.CreateApplication(ctx, app)
}

func (s *timedStore) GetApplication(ctx context.Context, id string) (*model.Application, error) {
	defer s.since("get_application", time.Now())
	return s.st.GetApplication(ctx, id)
}

func (s *timedStore) ListApplications(ctx context.Context) ([]*model.Application, error) {
	defer s.since("list_applications", time.Now())
	return s.st.ListApplications(ctx)
}

func (s *timedStore) UpdateApplication(ctx context.Context, app *model.Application) error {
	defer s.since("update_application", time.Now())
	return s.st.UpdateApplication(ctx, app)
}

func (s *timedStore) DeleteApplication(ctx context.Context, id string) error {
	defer s.since("delete_application", time.Now())
	return s.st.DeleteApplication(ctx, id)
}

func (s *timedStore) SignOutClient(ctx context.Context, clientID string, now time.Time) (int, error) {
	defer s.since("sign_out_client", time.Now())
	return s.st.SignOutClient(ctx, clientID, now)
}

func (s *timedStore) CreateUser(ctx context.Context, u *model.User) error {
	defer s.since("create_user", time.Now())
	return s.st.CreateUser(ctx, u)
}

func (s *timedStore) GetUser(ctx context.Context, id string) (*model.User, error) {
	defer s.since("get_user", time.Now())
	return s.st.GetUser(ctx, id)
}

func (s *timedStore) FindUserByLogin(ctx context.Context, login string) (*model.User, error) {
	defer s.since("find_user_by_login", time.Now())
	return s.st.FindUserByLogin(ctx, login)
}

func (s *timedStore) ListUsers(ctx context.Context) ([]*model.User, error) {
	defer s.since("list_users", time.Now())
	return s.st.ListUsers(ctx)
}

func (s *timedStore) UpdateUser(ctx context.Context, u *model.User, signOut bool) error {
	defer s.since("update_user", time.Now())
	return s.st.UpdateUser(ctx, u, signOut)
}

func (s *timedStore) CreateUsers(ctx context.Context, users []*model.User) error {
	defer s.since("create_users", time.Now())
	return s.st.CreateUsers(ctx, users)
}

func (s *timedStore) DeleteUsers(ctx context.Context, ids []string) error {
	defer s.since("delete_users", time.Now())
	return s.st.DeleteUsers(ctx, ids)
}

func (s *timedStore) FindUser(ctx context.Context, field store.UserField, value string) (*model.User, error) {
	defer s.since("find_user", time.Now())
	return s.st.FindUser(ctx, field, value)
}

func (s *timedStore) QueryUsers(ctx context.Context, q store.UserQuery) ([]*model.User, int, error) {
	defer s.since("query_users", time.Now())
	return s.st.QueryUsers(ctx, q)
}

func (s *timedStore) ListUsersPage(ctx context.Context, q store.UserPage) ([]*model.User, string, error) {
	defer s.since("list_users_page", time.Now())
	return s.st.ListUsersPage(ctx, q)
}

func (s *timedStore) CountUsers(ctx context.Context) (int, error) {
	defer s.since("count_users", time.Now())
	return s.st.CountUsers(ctx)
}

func (s *timedStore) SignOutUser(ctx context.Context, userID string, clientIDs []string, now time.Time) error {
	defer s.since("sign_out_user", time.Now())
	return s.st.SignOutUser(ctx, userID, clientIDs, now)
}

func (s *timedStore) SetPassword(ctx context.Context, userID, hash string, now time.Time, keep string) error {
	defer s.since("set_password", time.Now())
	return s.st.SetPassword(ctx, userID, hash, now, keep)
}

func (s *timedStore) RecordLogin(ctx context.Context, rec *model.LoginRecord) error {
	defer s.since("record_login", time.Now())
	return s.st.RecordLogin(ctx, rec)
}

func (s *timedStore) ListLogins(ctx context.Context, q store.LoginQuery) ([]*model.LoginRecord, int, error) {
	defer s.since("list_logins", time.Now())
	return s.st.ListLogins(ctx, q)
}

func (s *timedStore) ActiveClients(ctx context.Context, userID string, now time.Time) ([]string, error) {
	defer s.since("active_clients", time.Now())
	return s.st.ActiveClients(ctx, userID, now)
}

func (s *timedStore) ActiveUsers(ctx context.Context, clientID string, now time.Time, offset, limit int) ([]*model.User, int, error) {
	defer s.since("active_users", time.Now())
	return s.st.ActiveUsers(ctx, clientID, now, offset, limit)
}

func (s *timedStore) CreateSession(ctx context.Context, sess *model.Session) error {
	defer s.since("create_session", time.Now())
	return s.st.CreateSession(ctx, sess)
}

func (s *timedStore) GetSession(ctx context.Context, idHash string, now time.Time) (*model.Session, error) {
	defer s.since("get_session", time.Now())
	return s.st.GetSession(ctx, idHash, now)
}

func (s *timedStore) TouchSession(ctx context.Context, idHash string, now time.Time) error {
	defer s.since("touch_session", time.Now())
	return s.st.TouchSession(ctx, idHash, now)
}

func (s *timedStore) DeleteSession(ctx context.Context, idHash string) error {
	defer s.since("delete_session", time.Now())
	return s.st.DeleteSession(ctx, idHash)
}

func (s *timedStore) CreateAuthCode(ctx context.Context, c *model.AuthCode) error {
	defer s.since("create_auth_code", time.Now())
	return s.st.CreateAuthCode(ctx, c)
}

func (s *timedStore) GetAuthCode(ctx context.Context, hash string, now time.Time) (*model.AuthCode, error) {
	defer s.since("get_auth_code", time.Now())
	return s.st.GetAuthCode(ctx, hash, now)
}

func (s *timedStore) RedeemAuthCode(ctx context.Context, hash string, now time.Time, issued []*model.Token) error {
	defer s.since("redeem_auth_code", time.Now())
	return s.st.RedeemAuthCode(ctx, hash, now, issued)
}

func (s *timedStore) CreateTokens(ctx context.Context, tokens ...*model.Token) error {
	defer s.since("create_tokens", time.Now())
	return s.st.CreateTokens(ctx, tokens...)
}

func (s *timedStore) GetToken(ctx context.Context, hash string) (*model.Token, error) {
	defer s.since("get_token", time.Now())
	return s.st.GetToken(ctx, hash)
}

func (s *timedStore) GetTokenWithUser(ctx context.Context, hash string) (*model.Token, *model.User, error) {
	defer s.since("get_token_with_user", time.Now())
	return s.st.GetTokenWithUser(ctx, hash)
}

func (s *timedStore) RefreshTokens(ctx context.Context, refreshID string, now time.Time, issued []*model.Token) error {
	defer s.since("refresh_tokens", time.Now())
	return s.st.RefreshTokens(ctx, refreshID, now, issued)
}

func (s *timedStore) RotateRefreshToken(ctx context.Context, refreshID string, now time.Time, grace time.Duration, issued []*model.Token) error {
	defer s.since("rotate_refresh_token", time.Now())
	return s.st.RotateRefreshToken(ctx, refreshID, now, grace, issued)
}

func (s *timedStore) RecordTokenUse(ctx context.Context, hash string, now time.Time) error {
	defer s.since("record_token_use", time.Now())
	return s.st.RecordTokenUse(ctx, hash, now)
}

func (s *timedStore) RevokeToken(ctx context.Context, hash string, now time.Time) (*model.Token, error) {
	defer s.since("revoke_token", time.Now())
	return s.st.RevokeToken(ctx, hash, now)
}

func (s *timedStore) SaveConsent(ctx context.Context, c *model.Consent) error {
	defer s.since("save_consent", time.Now())
	return s.st.SaveConsent(ctx, c)
}

func (s *timedStore) GetConsent(ctx context.Context, userID, clientID string) (*model.Consent, error) {
	defer s.since("get_consent", time.Now())
	return s.st.GetConsent(ctx, userID, clientID)
}

func (s *timedStore) ListConsents(ctx context.Context, userID string) ([]*model.Consent, error) {
	defer s.since("list_consents", time.Now())
	return s.st.ListConsents(ctx, userID)
}

func (s *timedStore) WithdrawConsent(ctx context.Context, userID, clientID string, now time.Time) (int, error) {
	defer s.since("withdraw_consent", time.Now())
	return s.st.WithdrawConsent(ctx, userID, clientID, now)
}

func (s *timedStore) CreateSigningKey(ctx context.Context, k *model.SigningKey) error {
	defer s.since("create_signing_key", time.Now())
	return s.st.CreateSigningKey(ctx, k)
}

func (s *timedStore) ListSigningKeys(ctx context.Context) ([]*model.SigningKey, error) {
	defer s.since("list_signing_keys", time.Now())
	return s.st.ListSigningKeys(ctx)
}

func (s *timedStore) ActivateSigningKey(ctx context.Context, id string, at time.Time) error {
	defer s.since("activate_signing_key", time.Now())
	return s.st.ActivateSigningKey(ctx, id, at)
}

func (s *timedStore) DeleteSigningKey(ctx context.Context, id string) error {
	defer s.since("delete_signing_key", time.Now())
	return s.st.DeleteSigningKey(ctx, id)
}

func (s *timedStore) CreateAccessKey(ctx context.Context, k *model.AccessKey) error {
	defer s.since("create_access_key", time.Now())
	return s.st.CreateAccessKey(ctx, k)
}

func (s *timedStore) CreatePasswordKey(ctx context.Context, k *model.PasswordKey) error {
	defer s.since("create_password_key", time.Now())
	return s.st.CreatePasswordKey(ctx, k)
}

func (s *timedStore) GetPasswordKey(ctx context.Context) (*model.PasswordKey, error) {
	defer s.since("get_password_key", time.Now())
	return s.st.GetPasswordKey(ctx)
}

func (s *timedStore) GetAccessKey(ctx context.Context) (*model.AccessKey, error) {
	defer s.since("get_access_key", time.Now())
	return s.st.GetAccessKey(ctx)
}

func (s *timedStore) UpdateAccessKeySecret(ctx context.Context, id string, sealed []byte, now time.Time) error {
	defer s.since("update_access_key_secret", time.Now())
	return s.st.UpdateAccessKeySecret(ctx, id, sealed, now)
}

func (s *timedStore) UseNonce(ctx context.Context, nonce string, now, expires time.Time) error {
	defer s.since("use_nonce", time.Now())
	return s.st.UseNonce(ctx, nonce, now, expires)
}

func (s *timedStore) HitThrottle(ctx context.Context, key string, now time.Time, window time.Duration) (*model.Throttle, error) {
	defer s.since("hit_throttle", time.Now())
	return s.st.HitThrottle(ctx, key, now, window)
}

func (s *timedStore) ReserveAttempt(ctx context.Context, now time.Time, window time.Duration, keys ...store.ThrottleKey) ([]*model.Throttle, bool, error) {
	defer s.since("reserve_attempt", time.Now())
	return s.st.ReserveAttempt(ctx, now, window, keys...)
}

func (s *timedStore) ReleaseAttempt(ctx context.Context, key string) error {
	defer s.since("release_attempt", time.Now())
	return s.st.ReleaseAttempt(ctx, key)
}

func (s *timedStore) ConfirmLock(ctx context.Context, key string, until time.Time, atLeast int) (bool, error) {
	defer s.since("confirm_lock", time.Now())
	return s.st.ConfirmLock(ctx, key, until, atLeast)
}

func (s *timedStore) ResetThrottle(ctx context.Context, key string) error {
	defer s.since("reset_throttle", time.Now())
	return s.st.ResetThrottle(ctx, key)
}

func (s *timedStore) AppendAuditEvents(ctx context.Context, events ...*model.AuditEvent) error {
	defer s.since("append_audit_events", time.Now())
	return s.st.AppendAuditEvents(ctx, events...)
}

func (s *timedStore) ListAuditPage(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, string, error) {
	defer s.since("list_audit_page", time.Now())
	return s.st.ListAuditPage(ctx, q)
}

func (s *timedStore) CountAuditByDay(ctx context.Context, types []string, since, until time.Time) (map[string]map[string]int, error) {
	defer s.since("count_audit_by_day", time.Now())
	return s.st.CountAuditByDay(ctx, types, since, until)
}

func (s *timedStore) SavePasscode(ctx context.Context, p *model.Passcode, m *model.OutboxMessage) error {
	defer s.since("save_passcode", time.Now())
	return s.st.SavePasscode(ctx, p, m)
}

func (s *timedStore) UsePasscode(ctx context.Context, channel, destination, hash string, now time.Time, maxTries int, consume bool) error {
	defer s.since("use_passcode", time.Now())
	return s.st.UsePasscode(ctx, channel, destination, hash, now, maxTries, consume)
}

func (s *timedStore) EnqueueMessage(ctx context.Context, m *model.OutboxMessage) error {
	defer s.since("enqueue_message", time.Now())
	return s.st.EnqueueMessage(ctx, m)
}

func (s *timedStore) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*model.OutboxMessage, error) {
	defer s.since("claim_messages", time.Now())
	return s.st.ClaimMessages(ctx, now, lease, limit)
}

func (s *timedStore) MarkMessageSent(ctx context.Context, id string, attempt int, at time.Time) error {
	defer s.since("mark_message_sent", time.Now())
	return s.st.MarkMessageSent(ctx, id, attempt, at)
}

func (s *timedStore) RetryMessage(ctx context.Context, id string, attempt int, next time.Time, lastErr string) error {
	defer s.since("retry_message", time.Now())
	return s.st.RetryMessage(ctx, id, attempt, next, lastErr)
}

func (s *timedStore) FailMessage(ctx context.Context, id string, attempt int, at time.Time, lastErr string) error {
	defer s.since("fail_message", time.Now())
	return s.st.FailMessage(ctx, id, attempt, at, lastErr)
}

func (s *timedStore) OutboxBacklog(ctx context.Context, now time.Time) (model.OutboxBacklog, error) {
	defer s.since("outbox_backlog", time.Now())
	return s.st.OutboxBacklog(ctx, now)
}

func (s *timedStore) SigningNeeds(ctx context.Context) (model.SigningNeeds, error) {
	defer s.since("signing_needs", time.Now())
	return s.st.SigningNeeds(ctx)
}

func (s *timedStore) CreateFactor(ctx context.Context, f *model.Factor) error {
	defer s.since("create_factor", time.Now())
	return s.st.CreateFactor(ctx, f)
}

func (s *timedStore) ListFactors(ctx context.Context, userID string) ([]*model.Factor, error) {
	defer s.since("list_factors", time.Now())
	return s.st.ListFactors(ctx, userID)
}

func (s *timedStore) GetFactor(ctx context.Context, id string) (*model.Factor, error) {
	defer s.since("get_factor", time.Now())
	return s.st.GetFactor(ctx, id)
}

func (s *timedStore) FactorByCredential(ctx context.Context, credentialID string) (*model.Factor, error) {
	defer s.since("factor_by_credential", time.Now())
	return s.st.FactorByCredential(ctx, credentialID)
}

func (s *timedStore) AdvanceFactor(ctx context.Context, id string, counter int64, usedAt time.Time) error {
	defer s.since("advance_factor", time.Now())
	return s.st.AdvanceFactor(ctx, id, counter, usedAt)
}

func (s *timedStore) DeleteFactor(ctx context.Context, userID, id string) error {
	defer s.since("delete_factor", time.Now())
	return s.st.DeleteFactor(ctx, userID, id)
}

func (s *timedStore) ResetFactors(ctx context.Context, userID string) (int, error) {
	defer s.since("reset_factors", time.Now())
	return s.st.ResetFactors(ctx, userID)
}

func (s *timedStore) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string, now time.Time) error {
	defer s.since("replace_recovery_codes", time.Now())
	return s.st.ReplaceRecoveryCodes(ctx, userID, hashes, now)
}

func (s *timedStore) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	defer s.since("use_recovery_code", time.Now())
	return s.st.UseRecoveryCode(ctx, userID, hash, now)
}

func (s *timedStore) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	defer s.since("count_recovery_codes", time.Now())
	return s.st.CountRecoveryCodes(ctx, userID)
}

func (s *timedStore) GetSetting(ctx context.Context, key string) (string, error) {
	defer s.since("get_setting", time.Now())
	return s.st.GetSetting(ctx, key)
}

func (s *timedStore) PutSetting(ctx context.Context, key, value string, now time.Time) error {
	defer s.since("put_setting", time.Now())
	return s.st.PutSetting(ctx, key, value, now)
}

func (s *timedStore) CreateExtIdp(ctx context.Context, p *model.ExtIdp) error {
	defer s.since("create_ext_idp", time.Now())
	return s.st.CreateExtIdp(ctx, p)
}

func (s *timedStore) GetExtIdp(ctx context.Context, id string) (*model.ExtIdp, error) {
	defer s.since("get_ext_idp", time.Now())
	return s.st.GetExtIdp(ctx, id)
}

func (s *timedStore) ListExtIdps(ctx context.Context) ([]*model.ExtIdp, error) {
	defer s.since("list_ext_idps", time.Now())
	return s.st.ListExtIdps(ctx)
}

func (s *timedStore) UpdateExtIdp(ctx context.Context, p *model.ExtIdp) error {
	defer s.since("update_ext_idp", time.Now())
	return s.st.UpdateExtIdp(ctx, p)
}

func (s *timedStore) DeleteExtIdp(ctx context.Context, id string) error {
	defer s.since("delete_ext_idp", time.Now())
	return s.st.DeleteExtIdp(ctx, id)
}

func (s *timedStore) CreateExtIdpConn(ctx context.Context, c *model.ExtIdpConn) error {
	defer s.since("create_ext_idp_conn", time.Now())
	return s.st.CreateExtIdpConn(ctx, c)
}

func (s *timedStore) GetExtIdpConn(ctx context.Context, id string) (*model.ExtIdpConn, error) {
	defer s.since("get_ext_idp_conn", time.Now())
	return s.st.GetExtIdpConn(ctx, id)
}

func (s *timedStore) GetExtIdpConnByIdentifier(ctx context.Context, identifier string) (*model.ExtIdpConn, error) {
	defer s.since("get_ext_idp_conn_by_identifier", time.Now())
	return s.st.GetExtIdpConnByIdentifier(ctx, identifier)
}

func (s *timedStore) ListExtIdpConns(ctx context.Context, extIdpID string) ([]*model.ExtIdpConn, error) {
	defer s.since("list_ext_idp_conns", time.Now())
	return s.st.ListExtIdpConns(ctx, extIdpID)
}

func (s *timedStore) UpdateExtIdpConn(ctx context.Context, c *model.ExtIdpConn) error {
	defer s.since("update_ext_idp_conn", time.Now())
	return s.st.UpdateExtIdpConn(ctx, c)
}

func (s *timedStore) DeleteExtIdpConn(ctx context.Context, id string) error {
	defer s.since("delete_ext_idp_conn", time.Now())
	return s.st.DeleteExtIdpConn(ctx, id)
}

func (s *timedStore) SetConnEnabled(ctx context.Context, connID, appID string, enabled bool) error {
	defer s.since("set_conn_enabled", time.Now())
	return s.st.SetConnEnabled(ctx, connID, appID, enabled)
}

func (s *timedStore) ListEnabledConns(ctx context.Context, appID string) ([]*model.ExtIdpConn, error) {
	defer s.since("list_enabled_conns", time.Now())
	return s.st.ListEnabledConns(ctx, appID)
}

func (s *timedStore) ListConnApps(ctx context.Context, connID string) ([]string, error) {
	defer s.since("list_conn_apps", time.Now())
	return s.st.ListConnApps(ctx, connID)
}

func (s *timedStore) CreateIdentity(ctx context.Context, i *model.Identity) error {
	defer s.since("create_identity", time.Now())
	return s.st.CreateIdentity(ctx, i)
}

func (s *timedStore) CreateUserWithIdentity(ctx context.Context, u *model.User, i *model.Identity) error {
	defer s.since("create_user_with_identity", time.Now())
	return s.st.CreateUserWithIdentity(ctx, u, i)
}

func (s *timedStore) FindIdentity(ctx context.Context, extIdpID, subject string) (*model.Identity, error) {
	defer s.since("find_identity", time.Now())
	return s.st.FindIdentity(ctx, extIdpID, subject)
}

func (s *timedStore) ListIdentities(ctx context.Context, userID string) ([]*model.Identity, error) {
	defer s.since("list_identities", time.Now())
	return s.st.ListIdentities(ctx, userID)
}

func (s *timedStore) UpdateIdentity(ctx context.Context, i *model.Identity) error {
	defer s.since("update_identity", time.Now())
	return s.st.UpdateIdentity(ctx, i)
}

func (s *timedStore) DeleteIdentity(ctx context.Context, userID, extIdpID string, keepOne bool) error {
	defer s.since("delete_identity", time.Now())
	return s.st.DeleteIdentity(ctx, userID, extIdpID, keepOne)
}

func (s *timedStore) GrantRole(ctx context.Context, userID, role string, now time.Time) error {
	defer s.since("grant_role", time.Now())
	return s.st.GrantRole(ctx, userID, role, now)
}

func (s *timedStore) RevokeRole(ctx context.Context, userID, role string) error {
	defer s.since("revoke_role", time.Now())
	return s.st.RevokeRole(ctx, userID, role)
}

func (s *timedStore) HasRole(ctx context.Context, userID, role string) (bool, error) {
	defer s.since("has_role", time.Now())
	return s.st.HasRole(ctx, userID, role)
}

func (s *timedStore) CountRole(ctx context.Context, role string) (int, error) {
	defer s.since("count_role", time.Now())
	return s.st.CountRole(ctx, role)
}

func (s *timedStore) ListRole(ctx context.Context, role string) ([]string, error) {
	defer s.since("list_role", time.Now())
	return s.st.ListRole(ctx, role)
}

func (s *timedStore) SetBootstrap(ctx context.Context, tokenHash string, expires, now time.Time) error {
	defer s.since("set_bootstrap", time.Now())
	return s.st.SetBootstrap(ctx, tokenHash, expires, now)
}

func (s *timedStore) ClaimFirstAdmin(ctx context.Context, tokenHash, userID string, now time.Time) error {
	defer s.since("claim_first_admin", time.Now())
	return s.st.ClaimFirstAdmin(ctx, tokenHash, userID, now)
}

func (s *timedStore) ListAuditEvents(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, error) {
	defer s.since("list_audit_events", time.Now())
	return s.st.ListAuditEvents(ctx, q)
}
