package authn

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"github.com/opengenauth/genauth/internal/wire"
)

// IDTokens verifies the id tokens this server signed (idtoken.Keys).
type IDTokens interface {
	// VerifyHint checks a token's signature and issuer, not its expiry.
	VerifyHint(ctx context.Context, raw, issuer string) (*idtoken.Hint, error)
}

// directorySignIn is signin's connections LDAP and AD (contract 2.1): the
// application's first enabled connection of that kind signs the
// directory's login in, as a password is checked (signin.Directory).
// The login history's method is "idp:ldap" or "idp:ad".
func (c *call) directorySignIn(app *model.Application, opts envelope.Object, connection string) (*model.User, string, string, *envelope.Error) {
	kind, field := model.IdPLDAP, "ldapPayload"
	if connection == "AD" {
		kind, field = model.IdPAD, "adPayload"
	}
	payload, e := c.params.Obj(field)
	if e != nil {
		return nil, "", "", e
	}
	if payload.Len() == 0 {
		return nil, "", "", envelope.BadRequest("%s is required for connection %s", field, connection)
	}
	encrypt, e := opts.Text("passwordEncryptType")
	if e != nil {
		return nil, "", "", e
	}
	scope, e := signInScope(opts)
	if e != nil {
		return nil, "", "", e
	}
	login, e := payload.Text("sAMAccountName")
	if e != nil {
		return nil, "", "", e
	}
	if strings.TrimSpace(login) == "" {
		return nil, "", "", envelope.BadRequest("%ssAMAccountName is required", payload.Path())
	}
	conn, e := c.directory(app, kind)
	if e != nil {
		return nil, "", "", e
	}
	if e := c.client(app); e != nil {
		return nil, "", "", e
	}
	pw, e := c.password(payload, encrypt)
	if e != nil {
		return nil, "", "", e
	}
	out, err := c.h.cfg.SignIn.Directory(c.Context(), signin.DirectoryAttempt{Conn: conn, Login: login, Password: pw,
		IP: audit.ClientIP(c.Request), ClientID: app.ID})
	var link *idp.LinkNeeded
	switch {
	case errors.Is(err, signin.ErrLockedOut):
		return nil, "", "", c.fail(http.StatusForbidden, codeLocked, msgLocked)
	case errors.Is(err, throttle.ErrLocked):
		return nil, "", "", c.throttled(err)
	case errors.Is(err, model.ErrBadCredentials):
		return nil, "", "", c.fail(http.StatusForbidden, codeBadLogin, msgBadLogin)
	case errors.Is(err, model.ErrSuspended):
		return nil, "", "", c.fail(http.StatusForbidden, codeLocked, msgSuspended)
	case errors.Is(err, model.ErrUpstreamUnavailable):
		c.h.cfg.Logger.WarnContext(c.Context(), "authn: directory sign-in", "connection", conn.Identifier, "err", err)
		return nil, "", "", c.fail(http.StatusBadGateway, 0, msgUpstreamDown)
	case errors.Is(err, model.ErrUpstreamRefused):
		c.h.cfg.Logger.InfoContext(c.Context(), "authn: directory sign-in refused", "connection", conn.Identifier, "err", err)
		return nil, "", "", c.fail(http.StatusForbidden, 0, msgUpstreamNo)
	case errors.As(err, &link), errors.Is(err, idp.ErrEmailTaken):
		// The API cannot ask the user to confirm a link: they sign in to
		// the account and link from the account page.
		return nil, "", "", c.fail(http.StatusConflict, 0, msgEmailTaken)
	case errors.Is(err, idp.ErrNoAccount):
		return nil, "", "", c.fail(http.StatusForbidden, 0, msgNoAccount)
	case err != nil:
		return nil, "", "", c.internal("signing in at a directory", err)
	}
	return out.User, scope, "idp:" + kind, nil
}

// directory is app's first enabled connection of kind (ldap or ad), in
// the order they were made; none answers 2820002.
func (c *call) directory(app *model.Application, kind string) (*model.ExtIdpConn, *envelope.Error) {
	conns, err := c.h.cfg.IdP.Enabled(c.Context(), app.ID)
	if err != nil {
		return nil, c.internal("listing the application's connections", err)
	}
	i := slices.IndexFunc(conns, func(conn *model.ExtIdpConn) bool { return conn.Type == kind })
	if i < 0 {
		return nil, c.fail(http.StatusBadRequest, codeNoLDAP, msgNoDirectory)
	}
	return conns[i], nil
}

// getApplicationEnabledExtIdps serves GET get-application-enabled-extidps
// (contract 7): the application's connections in the order they were
// made. OpenID Connect and OAuth 2.0 ones are "social", directories
// "enterprise"; bindUrl is where a browser starts each.
func (h *Handler) getApplicationEnabledExtIdps(c *call) (any, *envelope.Error) {
	app, e := c.app()
	if e != nil {
		return nil, e
	}
	conns, err := h.cfg.IdP.Enabled(c.Context(), app.ID)
	if err != nil {
		return nil, c.internal("listing the application's connections", err)
	}
	out := make([]wire.ExtIdpEntry, 0, len(conns))
	for _, conn := range conns {
		kind, page := "enterprise", "/ldap"
		if model.IdPWeb(conn.Type) {
			kind, page = "social", "/start"
		}
		out = append(out, wire.ExtIdpEntry{Identifier: conn.Identifier, ExtIdpID: conn.ExtIdpID, Type: conn.Type, ExtIdpType: kind,
			BindURL: h.connectionURL(conn, page), Name: conn.DisplayName, NameEn: conn.DisplayName, Logo: conn.Logo})
	}
	return out, nil
}

// connectionURL is the hosted page of conn at page ("/start", "/ldap", "/link").
func (h *Handler) connectionURL(conn *model.ExtIdpConn, page string) string {
	return h.cfg.IdP.PublicURL + "/connections/" + url.PathEscape(conn.Identifier) + page
}

// generateLinkExtIdpURL serves GET generate-link-extidp-url (contract 7):
// the page that links the user of id_token, an unexpired id token this
// server signed for app_id, to an account at the web connection
// ext_idp_conn_identifier (enabled for that application) once the user
// confirms there. Node's redirect options are accepted and ignored: the
// page ends at the account page or says the accounts are linked.
func (h *Handler) generateLinkExtIdpURL(c *call) (any, *envelope.Error) {
	identifier, appID, raw := c.query.Text("ext_idp_conn_identifier"), c.query.Text("app_id"), c.query.Text("id_token")
	if identifier == "" || appID == "" || raw == "" {
		return nil, envelope.BadRequest("ext_idp_conn_identifier, app_id and id_token are required")
	}
	ctx := c.Context()
	app, err := h.cfg.Store.GetApplication(ctx, appID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, c.fail(http.StatusNotFound, codeAppNotFound, msgAppNotFound)
	}
	if err != nil {
		return nil, c.internal("looking up the application", err)
	}
	u, e := c.idTokenUser(app, raw)
	if e != nil {
		return nil, e
	}
	conns, err := h.cfg.IdP.Enabled(ctx, app.ID)
	if err != nil {
		return nil, c.internal("listing the application's connections", err)
	}
	i := slices.IndexFunc(conns, func(conn *model.ExtIdpConn) bool { return conn.Identifier == identifier })
	if i < 0 {
		return nil, c.fail(http.StatusNotFound, 0, msgNoConnection)
	}
	conn := conns[i]
	if !model.IdPWeb(conn.Type) {
		return nil, c.fail(http.StatusBadRequest, 0, msgLinkWebOnly)
	}
	ticket, err := h.cfg.IdP.LinkTicket(u.ID, conn.ID)
	if err != nil {
		return nil, c.internal("making a link ticket", err)
	}
	return wire.LinkURL{URL: h.connectionURL(conn, "/link") + "?" + url.Values{"ticket": {ticket}}.Encode()}, nil
}

// idTokenUser is the user of raw, an id token this server signed for app
// that has not expired, if the user may still sign in.
func (c *call) idTokenUser(app *model.Application, raw string) (*model.User, *envelope.Error) {
	bad := c.fail(http.StatusUnauthorized, codeNotLoggedIn, msgBadIDToken)
	ctx := c.Context()
	hint, err := c.h.cfg.IDTokens.VerifyHint(ctx, raw, c.h.cfg.Issuer)
	if errors.Is(err, idtoken.ErrBadHint) {
		return nil, bad
	}
	if err != nil {
		return nil, c.internal("verifying an id token", err)
	}
	if !slices.Contains(hint.Audience, app.ID) || hint.Expiry == nil || !c.h.cfg.Now().Before(hint.Expiry.Time()) {
		return nil, bad
	}
	u, err := c.h.cfg.Store.GetUser(ctx, hint.Subject)
	if errors.Is(err, model.ErrNotFound) {
		return nil, bad
	}
	if err != nil {
		return nil, c.internal("looking up the id token's user", err)
	}
	if !users.Active(u) {
		return nil, bad
	}
	return u, nil
}

// unlinkExtIdp serves POST unlink-extidp (contract 7): removes the user's
// identity at the ExtIdp extIdpId, unless it is their last way to sign in.
func (h *Handler) unlinkExtIdp(c *call) (any, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	id, e := c.params.Text("extIdpId")
	if e != nil {
		return nil, e
	}
	if id == "" {
		return nil, envelope.BadRequest("extIdpId is required")
	}
	err := h.cfg.IdP.Unlink(c.Context(), u.ID, id, audit.ClientIP(c.Request))
	switch {
	case errors.Is(err, idp.ErrLastLogin):
		return nil, c.fail(http.StatusUnprocessableEntity, 0, msgIdentityLast)
	case errors.Is(err, model.ErrNotFound):
		return nil, c.fail(http.StatusNotFound, 0, msgNotLinked)
	case err != nil:
		return nil, c.internal("unlinking an identity", err)
	}
	return nil, nil
}

// getIdentities serves GET get-identities (contract 7): the user's linked
// identities, oldest first, with the upstream's tokens.
func (h *Handler) getIdentities(c *call) (any, *envelope.Error) {
	u, e := c.user()
	if e != nil {
		return nil, e
	}
	ids, err := h.cfg.IdP.Identities(c.Context(), u.ID)
	if err != nil {
		return nil, c.internal("listing the user's identities", err)
	}
	out := make([]wire.Identity, 0, len(ids))
	for _, i := range ids {
		t, err := h.cfg.IdP.IdentityTokens(i)
		if err != nil {
			return nil, c.internal("opening an identity's tokens", err)
		}
		w := wire.NewIdentity(i.ID, i.ExtIdpID, i.Provider, model.IdPWeb(i.Provider), i.ConnID, i.Subject, i.Profile)
		w.AccessToken, w.RefreshToken = t.AccessToken, t.RefreshToken
		out = append(out, w)
	}
	return out, nil
}
