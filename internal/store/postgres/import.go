package postgres

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/loginid"
	"github.com/opengenauth/genauth/internal/store/storecopy"
)

// Until the copy moves to sqlstore.
const (
	codeColumns = `hash, grant_id, client_id, user_id, redirect_uri, scope, protocol, nonce,
	code_challenge, code_challenge_method, session_id_hash, auth_time, created_at, expires_at, redeemed_at`
	tokenColumns = `hash, id, kind, grant_id, parent_id, client_id, user_id, scope, protocol,
	issued_at, expires_at, revoked_at, used_at`
	applicationColumns = `id, name, secret_hash, redirect_uris, logout_redirect_uris,
	token_auth_method, introspection_auth_method, revocation_auth_method, grant_types,
	access_token_ttl, refresh_token_ttl, id_token_ttl, id_token_alg, require_consent,
	created_at, updated_at,
	app_identifier, logo, description, app_type, default_protocol, init_login_uri, sso_enabled,
	rotate_refresh_tokens, refresh_grace_period, refresh_idle_ttl, reject_pkce_plain,
	allowed_scopes, claims_format, web_origins`
	sessionColumns    = `id_hash, user_id, auth_time, created_at, expires_at, last_seen_at`
	signingKeyColumns = `id, alg, public_der, encrypted_private, created_at, activates_at`
	consentColumns    = `user_id, client_id, scopes, created_at, updated_at`
	userColumns       = `id, username, email, email_verified, phone, phone_verified, password_hash,
	name, given_name, family_name, middle_name, nickname, preferred_username, profile, picture,
	website, gender, birthdate, zoneinfo, locale, address, created_at, updated_at,
	status, external_id, custom_data, source_type, logins_count, last_login, last_ip`
)

func applicationValues(app *model.Application) []any {
	return []any{app.ID, app.Name, app.SecretHash, list(app.RedirectURIs), list(app.LogoutRedirectURIs),
		app.TokenAuthMethod, app.IntrospectionAuthMethod, app.RevocationAuthMethod, list(app.GrantTypes),
		int64(app.AccessTokenTTL), int64(app.RefreshTokenTTL), int64(app.IDTokenTTL), app.IDTokenAlg,
		app.RequireConsent, app.CreatedAt, app.UpdatedAt,
		nullIfEmpty(app.AppIdentifier), app.Logo, app.Description, app.AppType, app.DefaultProtocol, app.InitLoginURI,
		app.SSOEnabled, app.RotateRefreshTokens, int64(app.RefreshGracePeriod), int64(app.RefreshIdleTTL), app.RejectPKCEPlain,
		app.AllowedScopes, app.ClaimsFormat, list(app.WebOrigins)}
}

func sessionValues(sess *model.Session) []any {
	return []any{sess.IDHash, sess.UserID, sess.AuthTime, sess.CreatedAt, sess.ExpiresAt,
		cmp.Or(sess.LastSeenAt, sess.CreatedAt)}
}

func signingKeyValues(k *model.SigningKey) []any {
	return []any{k.ID, k.Alg, k.PublicDER, k.EncryptedPrivate, k.CreatedAt, k.ActivatesAt}
}

func consentValues(c *model.Consent) []any {
	return []any{c.UserID, c.ClientID, list(c.Scopes), c.CreatedAt, c.UpdatedAt}
}

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

// Until the copy moves to sqlstore.
const (
	throttleColumns = `key, count, window_start, locked_until, expires_at`
	auditColumns    = `time, type, user_id, client_id, ip, detail`
)

func throttleValues(th *model.Throttle) []any {
	return []any{th.Key, th.Count, th.WindowStart, nullTime(th.LockedUntil), th.ExpiresAt}
}

func auditValues(e *model.AuditEvent) []any {
	return []any{e.Time, e.Type, e.UserID, e.ClientID, e.IP, e.Detail}
}

func codeValues(c *model.AuthCode, redeemedAt time.Time) []any {
	return []any{c.Hash, c.GrantID, c.ClientID, c.UserID, c.RedirectURI, c.Scope, c.Protocol, c.Nonce,
		c.CodeChallenge, c.CodeChallengeMethod, c.SessionIDHash, c.AuthTime, c.CreatedAt, c.ExpiresAt,
		nullTime(redeemedAt)}
}

func tokenValues(t *model.Token) []any {
	return []any{t.Hash, nullIfEmpty(t.ID), t.Kind, t.GrantID, nullIfEmpty(t.ParentID), t.ClientID, t.UserID,
		t.Scope, t.Protocol, t.IssuedAt, t.ExpiresAt, nullTime(t.RevokedAt), nullTime(t.UsedAt)}
}

// tableCopy is one table Import fills: its columns and the rows for them.
type tableCopy struct {
	table, columns string
	count          *int64
	rows           iter.Seq2[[]any, error]
}

// Import loads every row of src into this migrated, empty database in one
// transaction: all of it or nothing. A database holding any row gives
// storecopy.ErrNotEmpty. The tables are locked against writers for the
// duration, so two imports cannot both find the database empty.
func (s *Store) Import(ctx context.Context, src storecopy.Source) (storecopy.Counts, error) {
	var n storecopy.Counts
	copies := []tableCopy{
		{"applications", applicationColumns, &n.Applications, values(src.Applications(ctx), applicationValues)},
		{"users", userColumns + ", email_lower, username_key", &n.Users, values(src.Users(ctx), userValues)},
		{"sessions", sessionColumns, &n.Sessions, values(src.Sessions(ctx), sessionValues)},
		{"auth_codes", codeColumns, &n.AuthCodes, values(src.AuthCodes(ctx), func(c *storecopy.AuthCode) []any {
			return codeValues(&c.AuthCode, c.RedeemedAt)
		})},
		{"tokens", tokenColumns + ", rotated_at", &n.Tokens, values(src.Tokens(ctx), func(t *storecopy.Token) []any {
			return append(tokenValues(&t.Token), nullTime(t.RotatedAt))
		})},
		{"signing_keys", signingKeyColumns, &n.SigningKeys, values(src.SigningKeys(ctx), signingKeyValues)},
		{"consents", consentColumns, &n.Consents, values(src.Consents(ctx), consentValues)},
		{"access_keys", "singleton, id, sealed_secret, created_at, updated_at", &n.AccessKeys,
			values(src.AccessKeys(ctx), func(k *model.AccessKey) []any {
				return []any{1, k.ID, k.SealedSecret, k.CreatedAt, k.UpdatedAt}
			})},
		{"login_history", "user_id, app_id, client_ip, user_agent, time", &n.Logins,
			values(src.Logins(ctx), func(r *model.LoginRecord) []any {
				return []any{r.UserID, r.AppID, r.ClientIP, r.UserAgent, r.Time}
			})},
		{"signature_nonces", "nonce, expires_at", &n.Nonces, values(src.Nonces(ctx), func(x *storecopy.Nonce) []any {
			return []any{x.Nonce, x.ExpiresAt}
		})},
		{"throttles", throttleColumns, &n.Throttles, values(src.Throttles(ctx), throttleValues)},
		{"audit_events", auditColumns, &n.AuditEvents, values(src.AuditEvents(ctx), auditValues)},
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		names := make([]string, len(copies))
		for i, c := range copies {
			names[i] = c.table
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		for _, c := range copies {
			var nonEmpty bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+c.table+`)`).Scan(&nonEmpty); err != nil {
				return err
			}
			if nonEmpty {
				return fmt.Errorf("%w (it holds %s)", storecopy.ErrNotEmpty, strings.ReplaceAll(c.table, "_", " "))
			}
		}
		for _, c := range copies {
			var err error
			if *c.count, err = copyRows(ctx, tx, c); err != nil {
				return fmt.Errorf("copying %s: %w", strings.ReplaceAll(c.table, "_", " "), err)
			}
		}
		return nil
	})
	if err != nil {
		return storecopy.Counts{}, mapErr("import", err)
	}
	return n, nil
}

// values maps a sequence of rows to their column values.
func values[T any](seq iter.Seq2[T, error], f func(T) []any) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) {
		for v, err := range seq {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(f(v), nil) {
				return
			}
		}
	}
}

// copyRows streams c's rows into its table with COPY, without holding them
// all in memory.
func copyRows(ctx context.Context, tx pgx.Tx, c tableCopy) (int64, error) {
	next, stop := iter.Pull2(c.rows)
	defer stop()
	return tx.CopyFrom(ctx, pgx.Identifier{c.table}, strings.Fields(strings.ReplaceAll(c.columns, ",", " ")),
		pgx.CopyFromFunc(func() ([]any, error) {
			v, err, ok := next()
			if !ok {
				return nil, nil
			}
			return v, err
		}))
}
