package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/storecopy"
)

// Export calls fn with a storecopy.Source over one read transaction, so that
// every table is read from the same snapshot even while a server writes.
// Rows come in insertion order.
func (s *Store) Export(ctx context.Context, fn func(storecopy.Source) error) error {
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return mapErr("export", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	return fn(exporter{tx})
}

type exporter struct{ tx *sql.Tx }

// exportedTables are the tables the exporter reads. A table missing here
// would be lost by `genauth db copy`; TestExportCoversSchema keeps the list
// and the schema in step.
var exportedTables = []string{"applications", "users", "sessions", "auth_codes", "tokens", "signing_keys", "consents",
	"access_keys", "login_history", "signature_nonces", "throttles", "audit_events"}

// rows yields each row of q scanned by scan, then stops; the first error
// is yielded and ends the sequence.
func rows[T any](ctx context.Context, tx *sql.Tx, q string, scan func(scanner) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		rs, err := tx.QueryContext(ctx, q)
		if err != nil {
			yield(zero, mapErr("export", err))
			return
		}
		defer rs.Close()
		for rs.Next() {
			v, err := scan(rs)
			if err != nil {
				yield(zero, mapErr("export", err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rs.Err(); err != nil {
			yield(zero, mapErr("export", err))
		}
	}
}

func (e exporter) Applications(ctx context.Context) iter.Seq2[*model.Application, error] {
	return rows(ctx, e.tx, `SELECT `+applicationColumns+` FROM applications ORDER BY rowid`, scanApplication)
}

func (e exporter) Users(ctx context.Context) iter.Seq2[*model.User, error] {
	return rows(ctx, e.tx, `SELECT `+userColumns+` FROM users ORDER BY rowid`, scanUser)
}

func (e exporter) Sessions(ctx context.Context) iter.Seq2[*model.Session, error] {
	return rows(ctx, e.tx, `SELECT `+sessionColumns+` FROM sessions ORDER BY rowid`, scanSession)
}

// Until the copy moves to sqlstore.
func (e exporter) Throttles(ctx context.Context) iter.Seq2[*model.Throttle, error] {
	return rows(ctx, e.tx, `SELECT key, count, window_start, locked_until, expires_at FROM throttles ORDER BY rowid`,
		func(r scanner) (*model.Throttle, error) {
			var (
				th             model.Throttle
				start, expires int64
				lockEnd        sql.NullInt64
			)
			if err := r.Scan(&th.Key, &th.Count, &start, &lockEnd, &expires); err != nil {
				return nil, err
			}
			th.WindowStart, th.LockedUntil, th.ExpiresAt = fromMS(start), fromNullMS(lockEnd), fromMS(expires)
			return &th, nil
		})
}

// Until the copy moves to sqlstore.
func (e exporter) AuditEvents(ctx context.Context) iter.Seq2[*model.AuditEvent, error] {
	return rows(ctx, e.tx, `SELECT time, type, user_id, client_id, ip, detail FROM audit_events ORDER BY rowid`,
		func(r scanner) (*model.AuditEvent, error) {
			var (
				ev model.AuditEvent
				at int64
			)
			if err := r.Scan(&at, &ev.Type, &ev.UserID, &ev.ClientID, &ev.IP, &ev.Detail); err != nil {
				return nil, err
			}
			ev.Time = fromMS(at)
			return &ev, nil
		})
}

func (e exporter) AuthCodes(ctx context.Context) iter.Seq2[*storecopy.AuthCode, error] {
	return rows(ctx, e.tx, `SELECT hash, grant_id, client_id, user_id, redirect_uri, scope, protocol, nonce,
		code_challenge, code_challenge_method, session_id_hash, auth_time, created_at, expires_at, redeemed_at
		FROM auth_codes ORDER BY rowid`,
		func(r scanner) (*storecopy.AuthCode, error) {
			var (
				c                          storecopy.AuthCode
				authTime, created, expires int64
				redeemed                   sql.NullInt64
			)
			err := r.Scan(&c.Hash, &c.GrantID, &c.ClientID, &c.UserID, &c.RedirectURI, &c.Scope, &c.Protocol, &c.Nonce,
				&c.CodeChallenge, &c.CodeChallengeMethod, &c.SessionIDHash, &authTime, &created, &expires, &redeemed)
			if err != nil {
				return nil, err
			}
			c.AuthTime, c.CreatedAt, c.ExpiresAt = fromMS(authTime), fromMS(created), fromMS(expires)
			c.RedeemedAt = fromNullMS(redeemed)
			return &c, nil
		})
}

func (e exporter) Tokens(ctx context.Context) iter.Seq2[*storecopy.Token, error] {
	return rows(ctx, e.tx, `SELECT hash, id, kind, grant_id, parent_id, client_id, user_id, scope, protocol,
		issued_at, expires_at, revoked_at, used_at, rotated_at FROM tokens ORDER BY rowid`,
		func(r scanner) (*storecopy.Token, error) {
			var (
				t               storecopy.Token
				id, parent      sql.NullString
				issued, expires int64
				revoked, used   sql.NullInt64
				rot             sql.NullInt64
			)
			err := r.Scan(&t.Hash, &id, &t.Kind, &t.GrantID, &parent, &t.ClientID, &t.UserID, &t.Scope, &t.Protocol,
				&issued, &expires, &revoked, &used, &rot)
			if err != nil {
				return nil, err
			}
			t.ID, t.ParentID = id.String, parent.String
			t.IssuedAt, t.ExpiresAt, t.RevokedAt = fromMS(issued), fromMS(expires), fromNullMS(revoked)
			t.UsedAt, t.RotatedAt = fromNullMS(used), fromNullMS(rot)
			return &t, nil
		})
}

func (e exporter) SigningKeys(ctx context.Context) iter.Seq2[*model.SigningKey, error] {
	return rows(ctx, e.tx, `SELECT id, alg, public_der, encrypted_private, created_at, activates_at
		FROM signing_keys ORDER BY rowid`,
		func(r scanner) (*model.SigningKey, error) {
			var (
				k                  model.SigningKey
				created, activates int64
			)
			if err := r.Scan(&k.ID, &k.Alg, &k.PublicDER, &k.EncryptedPrivate, &created, &activates); err != nil {
				return nil, err
			}
			k.CreatedAt, k.ActivatesAt = fromMS(created), fromMS(activates)
			return &k, nil
		})
}

func (e exporter) Consents(ctx context.Context) iter.Seq2[*model.Consent, error] {
	return rows(ctx, e.tx, `SELECT user_id, client_id, scopes, created_at, updated_at FROM consents ORDER BY rowid`,
		scanConsent)
}

func (e exporter) AccessKeys(ctx context.Context) iter.Seq2[*model.AccessKey, error] {
	return rows(ctx, e.tx, `SELECT id, sealed_secret, created_at, updated_at FROM access_keys ORDER BY rowid`,
		func(r scanner) (*model.AccessKey, error) {
			var (
				k                model.AccessKey
				created, updated int64
			)
			if err := r.Scan(&k.ID, &k.SealedSecret, &created, &updated); err != nil {
				return nil, err
			}
			k.CreatedAt, k.UpdatedAt = fromMS(created), fromMS(updated)
			return &k, nil
		})
}

func (e exporter) Logins(ctx context.Context) iter.Seq2[*model.LoginRecord, error] {
	return rows(ctx, e.tx, `SELECT user_id, app_id, client_ip, user_agent, time FROM login_history ORDER BY rowid`,
		func(r scanner) (*model.LoginRecord, error) {
			var (
				rec model.LoginRecord
				at  int64
			)
			if err := r.Scan(&rec.UserID, &rec.AppID, &rec.ClientIP, &rec.UserAgent, &at); err != nil {
				return nil, err
			}
			rec.Time = fromMS(at)
			return &rec, nil
		})
}

func (e exporter) Nonces(ctx context.Context) iter.Seq2[*storecopy.Nonce, error] {
	return rows(ctx, e.tx, `SELECT nonce, expires_at FROM signature_nonces ORDER BY rowid`,
		func(r scanner) (*storecopy.Nonce, error) {
			var (
				n       storecopy.Nonce
				expires int64
			)
			if err := r.Scan(&n.Nonce, &expires); err != nil {
				return nil, err
			}
			n.ExpiresAt = fromMS(expires)
			return &n, nil
		})
}

// Until the copy moves to sqlstore.
const (
	applicationColumns = `id, name, secret_hash, redirect_uris, logout_redirect_uris,
	token_auth_method, introspection_auth_method, revocation_auth_method, grant_types,
	access_token_ttl, refresh_token_ttl, id_token_ttl, id_token_alg, require_consent,
	created_at, updated_at,
	app_identifier, logo, description, app_type, default_protocol, init_login_uri, sso_enabled,
	rotate_refresh_tokens, refresh_grace_period, refresh_idle_ttl, reject_pkce_plain,
	allowed_scopes, claims_format, web_origins`
	sessionColumns = `id_hash, user_id, auth_time, created_at, expires_at, last_seen_at`
)

func scanApplication(r scanner) (*model.Application, error) {
	var (
		app                                            model.Application
		redirects, logoutRedirects, grantTypes         string
		accessTTL, refreshTTL, idTTL, created, updated int64
		grace, idle                                    int64
		identifier                                     sql.NullString
		origins                                        string
	)
	err := r.Scan(&app.ID, &app.Name, &app.SecretHash, &redirects, &logoutRedirects,
		&app.TokenAuthMethod, &app.IntrospectionAuthMethod, &app.RevocationAuthMethod, &grantTypes,
		&accessTTL, &refreshTTL, &idTTL, &app.IDTokenAlg, &app.RequireConsent, &created, &updated,
		&identifier, &app.Logo, &app.Description, &app.AppType, &app.DefaultProtocol, &app.InitLoginURI, &app.SSOEnabled,
		&app.RotateRefreshTokens, &grace, &idle, &app.RejectPKCEPlain,
		&app.AllowedScopes, &app.ClaimsFormat, &origins)
	if err != nil {
		return nil, err
	}
	app.AppIdentifier = identifier.String
	if app.RedirectURIs, err = parseList(redirects); err != nil {
		return nil, err
	}
	if app.LogoutRedirectURIs, err = parseList(logoutRedirects); err != nil {
		return nil, err
	}
	if app.GrantTypes, err = parseList(grantTypes); err != nil {
		return nil, err
	}
	if app.WebOrigins, err = parseList(origins); err != nil {
		return nil, err
	}
	app.AccessTokenTTL = time.Duration(accessTTL)
	app.RefreshTokenTTL = time.Duration(refreshTTL)
	app.IDTokenTTL = time.Duration(idTTL)
	app.RefreshGracePeriod, app.RefreshIdleTTL = time.Duration(grace), time.Duration(idle)
	app.CreatedAt, app.UpdatedAt = fromMS(created), fromMS(updated)
	return &app, nil
}

func scanSession(r scanner) (*model.Session, error) {
	var (
		sess                                 model.Session
		authTime, created, expires, lastSeen int64
	)
	if err := r.Scan(&sess.IDHash, &sess.UserID, &authTime, &created, &expires, &lastSeen); err != nil {
		return nil, err
	}
	sess.AuthTime, sess.CreatedAt, sess.ExpiresAt = fromMS(authTime), fromMS(created), fromMS(expires)
	sess.LastSeenAt = fromMS(lastSeen)
	return &sess, nil
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

// parseList decodes a stored list; an empty list comes back nil.
func parseList(s string) ([]string, error) {
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("corrupt list column: %w", err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

const userColumns = `id, username, email, email_verified, phone, phone_verified, password_hash,
	name, given_name, family_name, middle_name, nickname, preferred_username, profile, picture,
	website, gender, birthdate, zoneinfo, locale, address, created_at, updated_at,
	status, external_id, custom_data, source_type, logins_count, last_login, last_ip`

func scanUser(r scanner) (*model.User, error) {
	var (
		u                      model.User
		username, email, phone sql.NullString
		externalID             sql.NullString
		addr, custom           string
		created, updated       int64
		lastLogin              sql.NullInt64
	)
	err := r.Scan(&u.ID, &username, &email, &u.EmailVerified, &phone, &u.PhoneVerified, &u.PasswordHash,
		&u.Name, &u.GivenName, &u.FamilyName, &u.MiddleName, &u.Nickname, &u.PreferredUsername,
		&u.Profile, &u.Picture, &u.Website, &u.Gender, &u.Birthdate, &u.Zoneinfo, &u.Locale, &addr,
		&created, &updated,
		&u.Status, &externalID, &custom, &u.SourceType, &u.LoginsCount, &lastLogin, &u.LastIP)
	if err != nil {
		return nil, err
	}
	// Most users have neither: skip the JSON decoder for the empty object.
	if addr != "{}" {
		if err := json.Unmarshal([]byte(addr), &u.Address); err != nil {
			return nil, fmt.Errorf("corrupt address column: %w", err)
		}
	}
	if custom != "{}" {
		if err := json.Unmarshal([]byte(custom), &u.CustomData); err != nil {
			return nil, fmt.Errorf("corrupt custom_data column: %w", err)
		}
	}
	if len(u.CustomData) == 0 {
		u.CustomData = nil
	}
	u.ExternalID, u.LastLogin = externalID.String, fromNullMS(lastLogin)
	u.Username, u.Email, u.Phone = username.String, email.String, phone.String
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return &u, nil
}
