package authn

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/protocol/claims"
	"github.com/opengenauth/genauth/internal/protocol/oauth"
	"github.com/opengenauth/genauth/internal/wire"
)

// defaultScope is signin's scope when options.scope is absent.
const defaultScope = "openid profile"

// checkAppIDSecret serves POST check-app-id-secret (contract 2.1a): whether
// appId and appSecret go together, with the reason when not.
func (h *Handler) checkAppIDSecret(c *call) (any, *envelope.Error) {
	id, e := c.params.Text("appId")
	if e != nil {
		return nil, e
	}
	secret, e := c.params.Text("appSecret")
	if e != nil {
		return nil, e
	}
	if id == "" || secret == "" {
		return nil, envelope.BadRequest("appId and appSecret are required")
	}
	app, err := h.cfg.Store.GetApplication(c.Context(), id)
	if errors.Is(err, model.ErrNotFound) {
		return nil, c.fail(http.StatusNotFound, codeAppNotFound, msgAppNotFound)
	}
	if err != nil {
		return nil, c.internal("looking up the application", err)
	}
	if !apps.CheckSecret(app, secret) {
		return nil, &envelope.Error{Status: http.StatusOK, Message: msgSecretWrong.in(c.lang), Data: wire.Validity{Valid: false}}
	}
	return wire.Validity{Valid: true}, nil
}

// password reads a password payload's password under passwordEncryptType
// (contract 2.1): none is plain text, rsa base64 of an RSA PKCS #1 v1.5
// ciphertext under the key GET system publishes; sm2 is not supported.
func (c *call) password(payload envelope.Object, encrypt string) (string, *envelope.Error) {
	return c.secret(payload, "password", encrypt)
}

// secret reads the password in payload's field name as password does.
func (c *call) secret(payload envelope.Object, name, encrypt string) (string, *envelope.Error) {
	pw, e := payload.Text(name)
	if e != nil {
		return "", e
	}
	if pw == "" {
		return "", envelope.BadRequest("%s%s is required", payload.Path(), name)
	}
	switch strings.ToLower(encrypt) {
	case "", "none":
		return pw, nil
	case "rsa":
		ciphertext, err := base64.StdEncoding.DecodeString(pw)
		if err != nil {
			return "", c.fail(http.StatusBadRequest, codeDecrypt, msgDecrypt)
		}
		plain, err := c.h.cfg.PasswordKey.decrypt(ciphertext)
		if err != nil {
			return "", c.internal("decrypting a password", err)
		}
		return plain, nil
	case "sm2":
		return "", &envelope.Error{Status: http.StatusNotImplemented, Message: "sm2 password encryption is not supported"}
	}
	return "", envelope.BadRequest("passwordEncryptType must be none, rsa or sm2")
}

// login is the identifier a payload names, by priority email, phone,
// username, then account (username, email or phone alike).
func login(payload envelope.Object) (string, *envelope.Error) {
	for _, name := range []string{"email", "phone", "username", "account"} {
		v, e := payload.Text(name)
		if e != nil {
			return "", e
		}
		if strings.TrimSpace(v) != "" {
			return v, nil
		}
	}
	return "", envelope.BadRequest("%semail, phone, username or account is required", payload.Path())
}

// check signs in through the one password sign-in; its failures as the
// contract answers them: one answer for an unknown account and a wrong
// password.
func (c *call) check(login, pw, clientID string) (*model.User, *envelope.Error) {
	u, err := c.h.cfg.SignIn.Password(c.Context(), signin.Attempt{Login: login, Password: pw, IP: audit.ClientIP(c.Request), ClientID: clientID})
	switch {
	case errors.Is(err, signin.ErrLockedOut):
		return nil, c.fail(http.StatusForbidden, codeLocked, msgLocked)
	case errors.Is(err, throttle.ErrLocked):
		return nil, c.throttled(err)
	case errors.Is(err, model.ErrBadCredentials):
		return nil, c.fail(http.StatusForbidden, codeBadLogin, msgBadLogin)
	case errors.Is(err, model.ErrSuspended):
		return nil, c.fail(http.StatusForbidden, codeLocked, msgSuspended)
	case err != nil:
		return nil, c.internal("signing in", err)
	}
	return u, nil
}

// signIn serves POST signin (contract 2.1): connections PASSWORD, PASSCODE,
// LDAP and AD.
func (h *Handler) signIn(c *call) (any, *envelope.Error) {
	app, e := c.app()
	if e != nil {
		return nil, e
	}
	connection, e := c.params.Text("connection")
	if e != nil {
		return nil, e
	}
	opts, e := c.params.Obj("options")
	if e != nil {
		return nil, e
	}
	var (
		u            *model.User
		scope, first string // first: the factor proven (mfa.FirstPassword, ...)
		method       string // the login history's; "": first's
	)
	switch connection {
	case "PASSWORD":
		first = mfa.FirstPassword
		u, scope, e = c.passwordSignIn(app, opts)
	case "PASSCODE":
		u, scope, first, e = c.codeSignIn(app, opts)
	case "LDAP", "AD":
		first = mfa.FirstPassword
		u, scope, method, e = c.directorySignIn(app, opts, connection)
	case "":
		return nil, envelope.BadRequest("connection is required")
	default:
		return nil, envelope.BadRequest("connection must be PASSWORD, PASSCODE, LDAP or AD")
	}
	if e != nil {
		return nil, e
	}
	if e := c.gate(app, u, scope, first, method); e != nil {
		return nil, e
	}
	set, e := c.issue(app, u, scope, first, "", method)
	if e != nil {
		return nil, e
	}
	return set, nil
}

// issue mints the token set of a sign-in finished by first and second
// (mfa.AMR's) and records it in the user's login history under method
// ("": mfa.LoginMethod(first)).
func (c *call) issue(app *model.Application, u *model.User, scope, first, second, method string) (*wire.SignInTokens, *envelope.Error) {
	resp, err := c.h.cfg.Tokens.IssueSignIn(c.Request, app, u, scope, c.h.cfg.Now().UTC(), mfa.AMR(first, second))
	if err != nil {
		return nil, c.internal("issuing tokens", err)
	}
	// As on the hosted form: a history that cannot be written does not undo the sign-in.
	if method == "" {
		method = mfa.LoginMethod(first)
	}
	if err := c.h.cfg.SignIn.Users.RecordLoginBy(c.Context(), method, u.ID, app.ID, audit.ClientIP(c.Request), c.UserAgent()); err != nil {
		c.h.cfg.Logger.WarnContext(c.Context(), "authn: recording login history", "err", err)
	}
	return &wire.SignInTokens{Scope: resp.Scope, AccessToken: resp.AccessToken, IDToken: resp.IDToken, RefreshToken: resp.RefreshToken,
		TokenType: resp.TokenType, ExpiresIn: resp.ExpiresIn, ExpireIn: resp.ExpiresIn}, nil
}

// signInScope is options.scope, normalised, or the default; it must hold openid.
func signInScope(opts envelope.Object) (string, *envelope.Error) {
	scope, e := opts.Text("scope")
	if e != nil {
		return "", e
	}
	scope = strings.Join(strings.Fields(scope), " ")
	if scope == "" {
		scope = defaultScope
	}
	if !claims.HasScope(scope, "openid") {
		return "", envelope.BadRequest("options.scope must contain openid")
	}
	return scope, nil
}

// passwordSignIn is signin's connection PASSWORD.
func (c *call) passwordSignIn(app *model.Application, opts envelope.Object) (*model.User, string, *envelope.Error) {
	payload, e := c.params.Obj("passwordPayload")
	if e != nil {
		return nil, "", e
	}
	if payload.Len() == 0 {
		return nil, "", envelope.BadRequest("passwordPayload is required for connection PASSWORD")
	}
	encrypt, e := opts.Text("passwordEncryptType")
	if e != nil {
		return nil, "", e
	}
	scope, e := signInScope(opts)
	if e != nil {
		return nil, "", e
	}
	id, e := login(payload)
	if e != nil {
		return nil, "", e
	}
	if e := c.client(app); e != nil {
		return nil, "", e
	}
	pw, e := c.password(payload, encrypt)
	if e != nil {
		return nil, "", e
	}
	u, e := c.check(id, pw, app.ID)
	return u, scope, e
}

// codeSignIn is signin's connection PASSCODE (contract 2.1): an email or a
// phone number with the CHANNEL_LOGIN code sent to it, consumed on success.
// An address that names no user fails like a wrong code.
func (c *call) codeSignIn(app *model.Application, opts envelope.Object) (*model.User, string, string, *envelope.Error) {
	payload, e := c.params.Obj("passCodePayload")
	if e != nil {
		return nil, "", "", e
	}
	if payload.Len() == 0 {
		return nil, "", "", envelope.BadRequest("passCodePayload is required for connection PASSCODE")
	}
	scope, e := signInScope(opts)
	if e != nil {
		return nil, "", "", e
	}
	kind, field := model.MessageEmail, "email"
	if email, e := payload.Text("email"); e != nil {
		return nil, "", "", e
	} else if strings.TrimSpace(email) == "" {
		kind, field = model.MessageSMS, "phone"
		if phone, e := payload.Text("phone"); e != nil {
			return nil, "", "", e
		} else if strings.TrimSpace(phone) == "" {
			return nil, "", "", envelope.BadRequest("passCodePayload.email or passCodePayload.phone is required")
		}
	}
	to, e := address(payload, kind, field)
	if e != nil {
		return nil, "", "", e
	}
	code, e := passCode(payload)
	if e != nil {
		return nil, "", "", e
	}
	if e := c.client(app); e != nil {
		return nil, "", "", e
	}
	u, err := c.h.cfg.SignIn.Passcode(c.Context(), signin.CodeAttempt{Kind: kind, Address: to, Code: code,
		IP: audit.ClientIP(c.Request), ClientID: app.ID})
	switch {
	case errors.Is(err, signin.ErrLockedOut):
		return nil, "", "", c.fail(http.StatusForbidden, codeLocked, msgLocked)
	case errors.Is(err, throttle.ErrLocked):
		return nil, "", "", c.throttled(err)
	case errors.Is(err, model.ErrWrongCode):
		return nil, "", "", c.fail(http.StatusForbidden, codeWrongCode, msgWrongCode)
	case errors.Is(err, model.ErrCodeExpired):
		return nil, "", "", c.fail(http.StatusForbidden, codeCodeExpired, msgCodeExpired)
	case errors.Is(err, model.ErrSuspended):
		return nil, "", "", c.fail(http.StatusForbidden, codeLocked, msgSuspended)
	case err != nil:
		return nil, "", "", c.internal("signing in", err)
	}
	first := mfa.FirstEmail
	if kind == model.MessageSMS {
		first = mfa.FirstSMS
	}
	return u, scope, first, nil
}

// client authenticates the client of app as the token endpoint does, with
// what the body and the Basic header carry (contract 1.4). A body client_id
// must be the app's.
func (c *call) client(app *model.Application) *envelope.Error {
	bodyID, e := c.params.Text("client_id")
	if e != nil {
		return e
	}
	secret, e := c.params.Text("client_secret")
	if e != nil {
		return e
	}
	_, hasSecret := c.params.Raw("client_secret")
	invalid := func(why string) *envelope.Error {
		return &envelope.Error{Status: http.StatusUnauthorized, Message: oauth.ErrClient.Error() + ": " + why}
	}
	if bodyID != "" && bodyID != app.ID {
		return invalid("client_id is not the application's id")
	}
	got, err := c.h.cfg.Tokens.AuthenticateClient(c.Request, app.ID, secret, hasSecret)
	if errors.Is(err, oauth.ErrClient) {
		return &envelope.Error{Status: http.StatusUnauthorized, Message: err.Error()}
	}
	if err != nil {
		return c.internal("authenticating the client", err)
	}
	if got.ID != app.ID {
		return invalid("the Basic header names another application")
	}
	return nil
}

// validatePassword serves POST validate-password (contract 2.1): whether
// the password is the user's. It is a sign-in attempt like any other, so
// that it cannot be used to guess passwords past the lockout.
func (h *Handler) validatePassword(c *call) (any, *envelope.Error) {
	app, e := c.app()
	if e != nil {
		return nil, e
	}
	encrypt, e := c.params.Text("passwordEncryptType")
	if e != nil {
		return nil, e
	}
	id, e := login(c.params)
	if e != nil {
		return nil, e
	}
	pw, e := c.password(c.params, encrypt)
	if e != nil {
		return nil, e
	}
	_, e = c.check(id, pw, app.ID)
	switch {
	case e == nil:
		return wire.Validity{Valid: true}, nil
	case e.APICode == codeBadLogin:
		return wire.Validity{Valid: false}, nil
	}
	return nil, e
}
