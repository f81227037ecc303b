package authn

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/wire"
)

// maxPasskeyName is the longest passkey name kept, in characters.
const maxPasskeyName = 64

// passkeysOff is the answer of every passkey endpoint of an installation
// whose public URL is an IP address (mfa.ErrPasskeysOff).
func (c *call) passkeysOff() *envelope.Error {
	return c.fail(http.StatusNotImplemented, 0, msgPasskeysOff)
}

// credential reads the ticket and the credential (an object: the browser's
// credential.toJSON()) of a POST webauthn call, field names its key.
func (c *call) credential(field string) (string, []byte, *envelope.Error) {
	ticket, e := c.params.Text("ticket")
	if e != nil {
		return "", nil, e
	}
	cred, e := c.params.Obj(field)
	if e != nil {
		return "", nil, e
	}
	if strings.TrimSpace(ticket) == "" || cred.Len() == 0 {
		return "", nil, envelope.BadRequest("ticket and %s are required", field)
	}
	raw, _ := c.params.Raw(field)
	return ticket, raw, nil
}

// getRegistration serves GET webauthn/registration (contract 6.2): the
// options that create a passkey for the caller, whose authentication must
// be recent as for any enrollment (or the pending sign-in that must enroll).
func (h *Handler) getRegistration(c *call) (any, *envelope.Error) {
	who, e := c.changer()
	if e != nil {
		return nil, e
	}
	if !h.cfg.MFA.PasskeysOn() {
		return nil, c.passkeysOff()
	}
	opts, ticket, err := h.cfg.MFA.BeginPasskeyRegistration(c.Context(), mfa.PasskeyUserOf(who.u))
	if err != nil {
		return nil, c.internal("beginning a passkey registration", err)
	}
	raw, err := json.Marshal(opts.Response)
	if err != nil {
		return nil, c.internal("writing passkey options", err)
	}
	return wire.PasskeyRegistration{Ticket: ticket, RegistrationOptions: raw}, nil
}

// postRegistration serves POST webauthn/registration {ticket,
// registrationCredential, authenticatorCode?, name?} (contract 6.2; name is
// GenAuth's extension): a credential that fails a check is {verified:
// false}. Called with the mfaToken of a sign-in that must enroll, it ends
// that sign-in with the token set, as enroll-factor does.
func (h *Handler) postRegistration(c *call) (any, *envelope.Error) {
	ticket, cred, e := c.credential("registrationCredential")
	if e != nil {
		return nil, e
	}
	code, e := c.params.Text("authenticatorCode")
	if e != nil {
		return nil, e
	}
	switch code {
	case "", "fingerprint", "face", "other":
	default:
		return nil, envelope.BadRequest("authenticatorCode must be fingerprint, face or other")
	}
	name, e := c.params.Text("name")
	if e != nil {
		return nil, e
	}
	name = strings.Join(strings.Fields(name), " ")
	if utf8.RuneCountInString(name) > maxPasskeyName {
		return nil, envelope.BadRequest("name must be at most %d characters", maxPasskeyName)
	}
	if name == "" {
		name = "Passkey"
	}
	who, e := c.changer()
	if e != nil {
		return nil, e
	}
	if !h.cfg.MFA.PasskeysOn() {
		return nil, c.passkeysOff()
	}
	clientID := ""
	if who.pending != nil {
		clientID = who.pending.ClientID
	}
	f, err := h.cfg.MFA.FinishPasskeyRegistration(c.Context(), who.u.ID, ticket, cred, name)
	switch {
	case errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired):
		c.record(model.AuditEvent{Type: model.AuditMFAFailure, UserID: who.u.ID, ClientID: clientID, Detail: model.FactorWebAuthn + " registration"})
		return wire.PasskeyVerified{Verified: false}, nil
	case errors.Is(err, model.ErrConflict):
		return nil, c.fail(http.StatusConflict, 0, msgPasskeyExists)
	case err != nil:
		return nil, c.internal("registering a passkey", err)
	}
	c.record(model.AuditEvent{Type: model.AuditMFAEnroll, UserID: who.u.ID, ClientID: clientID, Detail: model.FactorWebAuthn + " " + f.ID})
	if who.pending == nil {
		return wire.PasskeyVerified{Verified: true}, nil
	}
	set, e := c.finish(who, model.FactorWebAuthn)
	if e != nil {
		return nil, e
	}
	return wire.PasskeyVerified{Verified: true, TokenSet: set}, nil
}

// pending is the pending sign-in whose mfaToken is the Authorization
// header, or nil: any other header (the SDKs send the access token they
// hold on every call) starts a sign-in of its own.
func (c *call) pending() (*mfaCaller, *envelope.Error) {
	tok := c.bearer()
	if tok == "" {
		return nil, nil
	}
	ctx := c.Context()
	p, err := c.h.cfg.MFA.Held(ctx, tok)
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) {
		return nil, nil
	}
	if err != nil {
		return nil, c.internal("looking up the mfaToken", err)
	}
	u, err := c.h.cfg.Store.GetUser(ctx, p.UserID)
	if err == nil && !users.Active(u) {
		err = model.ErrNotFound
	}
	if errors.Is(err, model.ErrNotFound) {
		return nil, c.fail(http.StatusUnauthorized, codeNotLoggedIn, msgUnauthorized)
	}
	if err != nil {
		return nil, c.internal("looking up the mfaToken's user", err)
	}
	return &mfaCaller{u: u, pending: p, tok: tok}, nil
}

// getAuthentication serves GET webauthn/authentication (contract 6.2): the
// options of a passwordless sign-in with any discoverable passkey or, with
// the mfaToken of a pending sign-in (GenAuth's extension), of its user's
// passkeys only.
func (h *Handler) getAuthentication(c *call) (any, *envelope.Error) {
	if _, e := c.app(); e != nil {
		return nil, e
	}
	if !h.cfg.MFA.PasskeysOn() {
		return nil, c.passkeysOff()
	}
	who, e := c.pending()
	if e != nil {
		return nil, e
	}
	userID := ""
	if who != nil {
		userID = who.u.ID
	} else {
		// A passwordless ceremony needs no one, and stores a ticket.
		switch err := h.cfg.SignIn.Limiter.AllowPasskeyBegin(c.Context(), audit.ClientIP(c.Request)); {
		case errors.Is(err, throttle.ErrLocked):
			return nil, c.throttled(err)
		case err != nil:
			return nil, c.internal("counting a passkey sign-in", err)
		}
	}
	opts, ticket, err := h.cfg.MFA.BeginPasskeyLogin(c.Context(), userID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, c.fail(http.StatusNotFound, 0, msgNoPasskey)
	}
	if err != nil {
		return nil, c.internal("beginning a passkey sign-in", err)
	}
	raw, err := json.Marshal(opts.Response)
	if err != nil {
		return nil, c.internal("writing passkey options", err)
	}
	return wire.PasskeyAuthentication{Ticket: ticket, AuthenticationOptions: raw}, nil
}

// postAuthentication serves POST webauthn/authentication {ticket,
// authenticationCredential, options?} (contract 6.2). With the mfaToken of
// a pending sign-in it proves that sign-in's second factor; otherwise it is
// a passwordless sign-in through the same steps as signin: client
// authentication, the lockout, the audit trail, the MFA gate (a passkey
// without user verification is one factor) and the login history.
func (h *Handler) postAuthentication(c *call) (any, *envelope.Error) {
	ticket, cred, e := c.credential("authenticationCredential")
	if e != nil {
		return nil, e
	}
	opts, e := c.params.Obj("options")
	if e != nil {
		return nil, e
	}
	scope, e := signInScope(opts)
	if e != nil {
		return nil, e
	}
	credID, e := credentialID(cred)
	if e != nil {
		return nil, e
	}
	if !h.cfg.MFA.PasskeysOn() {
		return nil, c.passkeysOff()
	}
	who, e := c.pending()
	if e != nil {
		return nil, e
	}
	if who != nil {
		ok, set, e := c.proveFactor(who, model.FactorWebAuthn, func(ctx context.Context, who *mfaCaller) error {
			login, err := h.cfg.MFA.FinishPasskeyLogin(ctx, ticket, cred)
			if err == nil && login.Factor.UserID != who.u.ID {
				err = model.ErrWrongCode
			}
			return err
		})
		if e != nil {
			return nil, e
		}
		return wire.PasskeyVerified{Verified: ok, TokenSet: set}, nil
	}
	app, e := c.app()
	if e != nil {
		return nil, e
	}
	if e := c.client(app); e != nil {
		return nil, e
	}
	u, first, e := c.passkeySignIn(app, ticket, credID, cred)
	if e != nil || u == nil {
		return wire.PasskeyVerified{Verified: false}, e
	}
	if e := c.gate(app, u, scope, first, ""); e != nil {
		return nil, e
	}
	set, e := c.issue(app, u, scope, first, "", "")
	if e != nil {
		return nil, e
	}
	return wire.PasskeyVerified{Verified: true, TokenSet: set}, nil
}

// credentialID is the rawId (else id) of a credential's JSON.
func credentialID(cred []byte) (string, *envelope.Error) {
	var ids struct {
		ID    any `json:"id"`
		RawID any `json:"rawId"`
	}
	_ = json.Unmarshal(cred, &ids)
	for _, v := range []any{ids.RawID, ids.ID} {
		if s, ok := v.(string); ok && s != "" {
			return s, nil
		}
	}
	return "", envelope.BadRequest("authenticationCredential.rawId must be a string")
}

// passkeySignIn is a passwordless sign-in's first factor: the user the
// passkey signs in and mfa.FirstPasskey or mfa.FirstKey; a nil user with no
// error is a passkey that failed its checks. The attempt counts toward the
// lockout of the passkey's user (of the credential id when it names none).
func (c *call) passkeySignIn(app *model.Application, ticket, credID string, cred []byte) (*model.User, string, *envelope.Error) {
	ctx := c.Context()
	limiter := c.h.cfg.SignIn.Limiter
	account, userID := limiter.UnknownAccount(credID), ""
	f, err := c.h.cfg.MFA.Store.FactorByCredential(ctx, credID)
	switch {
	case err == nil:
		account, userID = throttle.UserAccount(f.UserID), f.UserID
	case !errors.Is(err, model.ErrNotFound):
		return nil, "", c.internal("looking up a passkey", err)
	}
	ev := model.AuditEvent{Type: model.AuditLoginFailure, UserID: userID, ClientID: app.ID, Detail: "passkey"}
	attempt, err := limiter.Begin(ctx, account, audit.ClientIP(c.Request))
	if errors.Is(err, throttle.ErrLocked) {
		ev.Detail = "passkey locked"
		c.record(ev)
		return nil, "", c.throttled(err)
	}
	if err != nil {
		return nil, "", c.internal("counting a sign-in attempt", err)
	}
	login, err := c.h.cfg.MFA.FinishPasskeyLogin(ctx, ticket, cred)
	if err == nil && login.Factor.UserID != userID {
		err = model.ErrWrongCode // the assertion named another credential than the one counted
	}
	if errors.Is(err, model.ErrWrongCode) || errors.Is(err, model.ErrCodeExpired) {
		if lerr := attempt.Failed(ctx); errors.Is(lerr, throttle.ErrLocked) {
			c.record(model.AuditEvent{Type: model.AuditLoginLockout, UserID: userID, ClientID: app.ID, Detail: "passkey"})
			return nil, "", c.fail(http.StatusForbidden, codeLocked, msgLocked)
		} else if lerr != nil {
			return nil, "", c.internal("locking after a refused passkey", lerr)
		}
		c.record(ev)
		return nil, "", nil
	}
	if err != nil {
		return nil, "", c.internal("checking a passkey", err)
	}
	if err := attempt.Succeeded(ctx); err != nil {
		return nil, "", c.internal("counting a sign-in attempt", err)
	}
	u, err := c.h.cfg.Store.GetUser(ctx, userID)
	if err == nil && !users.Active(u) {
		err = model.ErrSuspended
	}
	if errors.Is(err, model.ErrSuspended) || errors.Is(err, model.ErrNotFound) {
		ev.Detail = "passkey suspended"
		c.record(ev)
		return nil, "", c.fail(http.StatusForbidden, codeLocked, msgSuspended)
	}
	if err != nil {
		return nil, "", c.internal("looking up the passkey's user", err)
	}
	c.record(model.AuditEvent{Type: model.AuditLoginSuccess, UserID: u.ID, ClientID: app.ID, Detail: "passkey"})
	if login.Verified {
		return u, mfa.FirstPasskey, nil
	}
	return u, mfa.FirstKey, nil
}
