package sqlstore

import (
	"context"
	"iter"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/storecopy"
)

// The two ends of `genauth db copy`, written once like every query: Source
// reads every table, CopyTables says how each is written. The tables, their
// columns and their values are listed only here.

// Source returns every row of the store read through c (one read
// transaction, so one snapshot), each table in insertion order, which the
// engine's InsertOrder column gives on every table only on SQLite, the one
// engine copied from.
func (s *Store) Source(c Conn) storecopy.Source { return exporter{s, c} }

type exporter struct {
	s *Store
	c Conn
}

// rowsOf yields each row of table's columns scanned by scan, then stops;
// the first error is yielded and ends the sequence.
func rowsOf[T any](ctx context.Context, e exporter, table, columns string, scan func(Row) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		rows, err := e.c.Query(ctx, `SELECT `+columns+` FROM `+table+` ORDER BY `+e.s.e.InsertOrder())
		if err != nil {
			yield(zero, e.s.e.Err("export", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				yield(zero, e.s.e.Err("export", err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, e.s.e.Err("export", err))
		}
	}
}

// Column lists of the tables whose queries elsewhere do not need one.
const (
	copyTokenColumns = tokenColumns + `, rotated_at`
	accessKeyColumns = `singleton, id, sealed_secret, created_at, updated_at`
	loginColumns     = `user_id, app_id, client_ip, user_agent, time, method`
	nonceColumns     = `nonce, expires_at`
	recoveryColumns  = `user_id, code_hash, created_at, used_at`
	settingColumns   = `key, value, updated_at`
	roleColumns      = `user_id, role, granted_at`
)

func (e exporter) Applications(ctx context.Context) iter.Seq2[*model.Application, error] {
	return rowsOf(ctx, e, "applications", applicationColumns, e.s.scanApplication)
}

func (e exporter) Users(ctx context.Context) iter.Seq2[*model.User, error] {
	return rowsOf(ctx, e, "users", userColumns, scanUser)
}

func (e exporter) Sessions(ctx context.Context) iter.Seq2[*model.Session, error] {
	return rowsOf(ctx, e, "sessions", sessionColumns, e.s.scanSession)
}

func (e exporter) AuthCodes(ctx context.Context) iter.Seq2[*storecopy.AuthCode, error] {
	return rowsOf(ctx, e, "auth_codes", codeColumns, func(r Row) (*storecopy.AuthCode, error) {
		var c storecopy.AuthCode
		var err error
		c.AuthCode, c.RedeemedAt, err = e.s.scanCode(r)
		return &c, err
	})
}

func (e exporter) Tokens(ctx context.Context) iter.Seq2[*storecopy.Token, error] {
	return rowsOf(ctx, e, "tokens", copyTokenColumns, func(r Row) (*storecopy.Token, error) {
		var t storecopy.Token
		err := r.Scan(&t.Hash, nd(&t.ID), &t.Kind, &t.GrantID, nd(&t.ParentID), &t.ClientID, &t.UserID, &t.Scope,
			&t.Protocol, td(&t.IssuedAt), td(&t.ExpiresAt), td(&t.RevokedAt), td(&t.UsedAt), &t.ACR, td(&t.RotatedAt))
		return &t, err
	})
}

func (e exporter) SigningKeys(ctx context.Context) iter.Seq2[*model.SigningKey, error] {
	return rowsOf(ctx, e, "signing_keys", signingKeyColumns, scanSigningKey)
}

func (e exporter) Consents(ctx context.Context) iter.Seq2[*model.Consent, error] {
	return rowsOf(ctx, e, "consents", consentColumns, e.s.scanConsent)
}

func (e exporter) PasswordKeys(ctx context.Context) iter.Seq2[*model.PasswordKey, error] {
	return rowsOf(ctx, e, "password_keys", passwordKeyColumns, scanPasswordKey)
}

func (e exporter) AccessKeys(ctx context.Context) iter.Seq2[*model.AccessKey, error] {
	return rowsOf(ctx, e, "access_keys", accessKeyColumns, func(r Row) (*model.AccessKey, error) {
		var (
			k         model.AccessKey
			singleton int
		)
		err := r.Scan(&singleton, &k.ID, &k.SealedSecret, td(&k.CreatedAt), td(&k.UpdatedAt))
		return &k, err
	})
}

func (e exporter) Logins(ctx context.Context) iter.Seq2[*model.LoginRecord, error] {
	return rowsOf(ctx, e, "login_history", loginColumns, func(r Row) (*model.LoginRecord, error) {
		var rec model.LoginRecord
		err := r.Scan(&rec.UserID, &rec.AppID, &rec.ClientIP, &rec.UserAgent, td(&rec.Time), &rec.Method)
		return &rec, err
	})
}

func (e exporter) Nonces(ctx context.Context) iter.Seq2[*storecopy.Nonce, error] {
	return rowsOf(ctx, e, "signature_nonces", nonceColumns, func(r Row) (*storecopy.Nonce, error) {
		var n storecopy.Nonce
		err := r.Scan(&n.Nonce, td(&n.ExpiresAt))
		return &n, err
	})
}

func (e exporter) Throttles(ctx context.Context) iter.Seq2[*model.Throttle, error] {
	return rowsOf(ctx, e, "throttles", throttleColumns, scanThrottle)
}

func (e exporter) AuditEvents(ctx context.Context) iter.Seq2[*model.AuditEvent, error] {
	return rowsOf(ctx, e, "audit_events", auditColumns, scanAuditEvent)
}

func (e exporter) Outbox(ctx context.Context) iter.Seq2[*model.OutboxMessage, error] {
	return rowsOf(ctx, e, "outbox", outboxColumns, scanOutbox)
}

func (e exporter) Passcodes(ctx context.Context) iter.Seq2[*model.Passcode, error] {
	return rowsOf(ctx, e, "passcodes", passcodeColumns, scanPasscode)
}

func (e exporter) Factors(ctx context.Context) iter.Seq2[*model.Factor, error] {
	return rowsOf(ctx, e, "mfa_factors", factorColumns, scanFactor)
}

func (e exporter) RecoveryCodes(ctx context.Context) iter.Seq2[*storecopy.RecoveryCode, error] {
	return rowsOf(ctx, e, "recovery_codes", recoveryColumns, func(r Row) (*storecopy.RecoveryCode, error) {
		var c storecopy.RecoveryCode
		err := r.Scan(&c.UserID, &c.Hash, td(&c.CreatedAt), td(&c.UsedAt))
		return &c, err
	})
}

func (e exporter) Settings(ctx context.Context) iter.Seq2[*storecopy.Setting, error] {
	return rowsOf(ctx, e, "settings", settingColumns, func(r Row) (*storecopy.Setting, error) {
		var x storecopy.Setting
		err := r.Scan(&x.Key, &x.Value, td(&x.UpdatedAt))
		return &x, err
	})
}

func (e exporter) ExtIdps(ctx context.Context) iter.Seq2[*model.ExtIdp, error] {
	return rowsOf(ctx, e, "ext_idps", extIdpColumns, scanExtIdp)
}

func (e exporter) ExtIdpConns(ctx context.Context) iter.Seq2[*model.ExtIdpConn, error] {
	return rowsOf(ctx, e, "ext_idp_conns", connColumns, scanConn)
}

func (e exporter) ConnEnablements(ctx context.Context) iter.Seq2[*storecopy.ConnEnablement, error] {
	return rowsOf(ctx, e, "app_ext_idp_conns", enabledColumns, func(r Row) (*storecopy.ConnEnablement, error) {
		var x storecopy.ConnEnablement
		err := r.Scan(&x.AppID, &x.ConnID)
		return &x, err
	})
}

func (e exporter) Identities(ctx context.Context) iter.Seq2[*model.Identity, error] {
	return rowsOf(ctx, e, "user_identities", identityColumns, scanIdentity)
}

func (e exporter) Roles(ctx context.Context) iter.Seq2[*storecopy.Role, error] {
	return rowsOf(ctx, e, "user_roles", roleColumns, func(r Row) (*storecopy.Role, error) {
		var x storecopy.Role
		err := r.Scan(&x.UserID, &x.Role, td(&x.GrantedAt))
		return &x, err
	})
}

// CopyTable is one table as an import writes it: its name, its columns, the
// values of its rows in that order, and where to count them.
type CopyTable struct {
	Name    string
	Columns string
	Count   *int64
	Rows    iter.Seq2[[]any, error]
}

// CopyTables lists every table of src in the order an import writes them,
// with the values as this store's engine keeps them; the rows are read
// from src only as the import pulls them.
func (s *Store) CopyTables(ctx context.Context, src storecopy.Source, n *storecopy.Counts) []CopyTable {
	return []CopyTable{
		{"applications", applicationColumns, &n.Applications, values(src.Applications(ctx), s.applicationValues)},
		{"users", userColumns + ", email_lower, username_key", &n.Users, valuesOrErr(src.Users(ctx), s.userValues)},
		{"sessions", sessionColumns, &n.Sessions, values(src.Sessions(ctx), s.sessionValues)},
		{"auth_codes", codeColumns, &n.AuthCodes, values(src.AuthCodes(ctx), func(c *storecopy.AuthCode) []any {
			return append(s.codeValues(&c.AuthCode), s.ntv(c.RedeemedAt))
		})},
		{"tokens", copyTokenColumns, &n.Tokens, values(src.Tokens(ctx), func(t *storecopy.Token) []any {
			return append(s.tokenValues(&t.Token), s.ntv(t.RotatedAt))
		})},
		{"signing_keys", signingKeyColumns, &n.SigningKeys, values(src.SigningKeys(ctx), func(k *model.SigningKey) []any {
			return []any{k.ID, k.Alg, k.PublicDER, k.EncryptedPrivate, s.tv(k.CreatedAt), s.tv(k.ActivatesAt)}
		})},
		{"consents", consentColumns, &n.Consents, values(src.Consents(ctx), func(c *model.Consent) []any {
			return []any{c.UserID, c.ClientID, s.e.List(c.Scopes), s.tv(c.CreatedAt), s.tv(c.UpdatedAt)}
		})},
		{"access_keys", accessKeyColumns, &n.AccessKeys, values(src.AccessKeys(ctx), func(k *model.AccessKey) []any {
			return []any{1, k.ID, k.SealedSecret, s.tv(k.CreatedAt), s.tv(k.UpdatedAt)}
		})},
		{"password_keys", passwordKeyColumns, &n.PasswordKeys, values(src.PasswordKeys(ctx), func(k *model.PasswordKey) []any {
			return []any{1, k.PublicDER, k.SealedPrivate, s.tv(k.CreatedAt)}
		})},
		{"login_history", loginColumns, &n.Logins, values(src.Logins(ctx), func(r *model.LoginRecord) []any {
			return []any{r.UserID, r.AppID, r.ClientIP, r.UserAgent, s.tv(r.Time), r.Method}
		})},
		{"signature_nonces", nonceColumns, &n.Nonces, values(src.Nonces(ctx), func(x *storecopy.Nonce) []any {
			return []any{x.Nonce, s.tv(x.ExpiresAt)}
		})},
		{"throttles", throttleColumns, &n.Throttles, values(src.Throttles(ctx), func(th *model.Throttle) []any {
			return []any{th.Key, th.Count, s.tv(th.WindowStart), s.ntv(th.LockedUntil), s.tv(th.ExpiresAt)}
		})},
		{"audit_events", auditColumns, &n.AuditEvents, values(src.AuditEvents(ctx), func(e *model.AuditEvent) []any {
			return []any{s.tv(e.Time), e.Type, e.UserID, e.ClientID, e.IP, e.Detail}
		})},
		{"outbox", outboxColumns, &n.Messages, values(src.Outbox(ctx), func(m *model.OutboxMessage) []any {
			return []any{m.ID, m.Kind, m.Sealed, m.Attempts, s.tv(m.NextAttemptAt), s.tv(m.CreatedAt),
				s.ntv(m.SentAt), s.ntv(m.FailedAt), m.LastError}
		})},
		{"passcodes", passcodeColumns, &n.Passcodes, values(src.Passcodes(ctx), s.passcodeValues)},
		{"mfa_factors", factorColumns, &n.Factors, values(src.Factors(ctx), s.factorValues)},
		{"recovery_codes", recoveryColumns, &n.RecoveryCodes, values(src.RecoveryCodes(ctx), func(c *storecopy.RecoveryCode) []any {
			return []any{c.UserID, c.Hash, s.tv(c.CreatedAt), s.ntv(c.UsedAt)}
		})},
		{"settings", settingColumns, &n.Settings, values(src.Settings(ctx), func(x *storecopy.Setting) []any {
			return []any{x.Key, x.Value, s.tv(x.UpdatedAt)}
		})},
		{"ext_idps", extIdpColumns, &n.ExtIdps, values(src.ExtIdps(ctx), s.extIdpValues)},
		{"ext_idp_conns", connColumns, &n.ExtIdpConns, valuesOrErr(src.ExtIdpConns(ctx), s.connValues)},
		{"app_ext_idp_conns", enabledColumns, &n.ConnEnablements, values(src.ConnEnablements(ctx),
			func(x *storecopy.ConnEnablement) []any { return []any{x.AppID, x.ConnID} })},
		{"user_identities", identityColumns, &n.Identities, valuesOrErr(src.Identities(ctx), s.identityValues)},
		{"user_roles", roleColumns, &n.Roles, values(src.Roles(ctx), func(x *storecopy.Role) []any {
			return []any{x.UserID, x.Role, s.tv(x.GrantedAt)}
		})},
	}
}

// values maps a sequence of rows to their column values.
func values[T any](seq iter.Seq2[T, error], f func(T) []any) iter.Seq2[[]any, error] {
	return valuesOrErr(seq, func(v T) ([]any, error) { return f(v), nil })
}

// valuesOrErr is values for a mapping that can fail.
func valuesOrErr[T any](seq iter.Seq2[T, error], f func(T) ([]any, error)) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) {
		for v, err := range seq {
			var row []any
			if err == nil {
				row, err = f(v)
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}
