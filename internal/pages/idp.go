package pages

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
)

const (
	// connectionsPath is where the upstream sign-ins live; the flow and
	// link cookies are sent only below it.
	connectionsPath = "/connections/"
	// idpLinkPath confirms linking an upstream account to the account
	// that has its email.
	idpLinkPath = "/connections/link"
	// unlinkPath removes a linked identity from the account page.
	unlinkPath = accountPath + "/identities/unlink"
	// identitiesAnchor is the account page's linked accounts section.
	identitiesAnchor = accountPath + "#identities"
	// flowCookie carries the web sign-in between start and callback,
	// sealed by idp.Service.SealFlow.
	flowCookie = "genauth_idp_flow"
	// linkCookie carries an upstream sign-in that waits for the user to
	// confirm linking it (idp.LinkNeeded), sealed.
	linkCookie = "genauth_idp_link"
	// linkSealPurpose is the Sealer purpose of linkCookie.
	linkSealPurpose = "pages idp link"
	// idpCookieLife bounds both cookies, as idp.Flow's own life does.
	idpCookieLife = 10 * time.Minute
	// maxCookieValue keeps linkCookie under what browsers store.
	maxCookieValue = 3800
)

func (h *Handler) registerIdP(mux edge.Routes) {
	mux.HandleFunc("GET "+connectionsPath+"{identifier}/start", h.idpStart)
	mux.HandleFunc("GET "+connectionsPath+"{identifier}/callback", h.idpCallback)
	mux.HandleFunc("GET "+idpLinkPath, h.idpLinkForm)
	mux.Handle("POST "+idpLinkPath, h.form(h.idpLinkConfirm))
	mux.HandleFunc("GET "+connectionsPath+"{identifier}/ldap", h.directoryForm)
	mux.Handle("POST "+connectionsPath+"{identifier}/ldap", h.form(h.directorySignIn))
	mux.Handle("POST "+connectionsPath+"{identifier}/link-start", h.form(h.idpLinkStart))
	mux.HandleFunc("GET "+connectionsPath+"{identifier}/link", h.ticketForm)
	mux.Handle("POST "+connectionsPath+"{identifier}/link", h.form(h.ticketLink))
	mux.Handle("POST "+unlinkPath, h.form(h.unlinkIdentity))
}

// idpLink is one of the login page's "Sign in with" links.
type idpLink struct{ Href, Name string }

// offeredConns are the connections the sign-in for returnTo offers: those
// its application enables, or with no application in returnTo every
// connection some application enables; in creation order.
func (h *Handler) offeredConns(r *http.Request, returnTo string) ([]*model.ExtIdpConn, error) {
	if h.idp == nil {
		return nil, nil
	}
	app, err := h.application(r, returnTo)
	if err != nil {
		return nil, err
	}
	if app != nil {
		return h.idp.Enabled(r.Context(), app.ID)
	}
	all, err := h.idp.Store.ListExtIdpConns(r.Context(), "")
	if err != nil {
		return nil, err
	}
	var out []*model.ExtIdpConn
	for _, c := range all {
		apps, err := h.idp.ConnApps(r.Context(), c.ID)
		if err != nil {
			return nil, err
		}
		if len(apps) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// idpLinks are the login page's links for returnTo.
func (h *Handler) idpLinks(r *http.Request, returnTo string) ([]idpLink, error) {
	conns, err := h.offeredConns(r, returnTo)
	if err != nil {
		return nil, err
	}
	q := "?" + url.Values{"return_to": {returnTo}}.Encode()
	links := make([]idpLink, 0, len(conns))
	for _, c := range conns {
		kind := "/start"
		if !model.IdPWeb(c.Type) {
			kind = "/ldap"
		}
		links = append(links, idpLink{Href: connectionsPath + url.PathEscape(c.Identifier) + kind + q, Name: c.DisplayName})
	}
	return links, nil
}

// offeredConn is the connection of the request's path when the sign-in
// for returnTo offers it and it is of the kind (web or not) asked for;
// otherwise the 404 page is shown and nil returned.
func (h *Handler) offeredConn(w http.ResponseWriter, r *http.Request, returnTo string, web bool) *model.ExtIdpConn {
	conns, err := h.offeredConns(r, returnTo)
	if err != nil {
		h.internalError(w, r, "upstream: connections", err)
		return nil
	}
	id := r.PathValue("identifier")
	for _, c := range conns {
		if c.Identifier == id && model.IdPWeb(c.Type) == web {
			return c
		}
	}
	h.idpNotFound(w, r)
	return nil
}

func (h *Handler) idpNotFound(w http.ResponseWriter, r *http.Request) {
	h.renderError(w, r, http.StatusNotFound, m("idp.error.not_found.title"), m("idp.error.not_found.message"), "")
}

// idpStart sends the browser to the upstream's authorization endpoint,
// keeping the flow in flowCookie until the callback. It is a GET so that
// the API's link URLs are plain links: the upstream session is the
// browser's own, so a forced start signs no one into another's account.
func (h *Handler) idpStart(w http.ResponseWriter, r *http.Request) {
	returnTo := safeReturnTo(r.URL.Query().Get("return_to"))
	c := h.offeredConn(w, r, returnTo, true)
	if c == nil {
		return
	}
	h.beginFlow(w, r, c, returnTo, "")
}

// beginFlow starts a web sign-in at c (linking to linkUserID when set)
// and redirects to the upstream.
func (h *Handler) beginFlow(w http.ResponseWriter, r *http.Request, c *model.ExtIdpConn, returnTo, linkUserID string) {
	authURL, f, err := h.idp.Begin(r.Context(), c, returnTo, linkUserID)
	if err != nil {
		h.upstreamError(w, r, "start", err)
		return
	}
	sealed, err := h.idp.SealFlow(f)
	if err != nil {
		h.internalError(w, r, "upstream: seal the flow", err)
		return
	}
	h.setCookie(w, r, flowCookie, connectionsPath, sealed, idpCookieLife)
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

// upstreamError shows the page for a failure of an upstream sign-in:
// 502 when the provider could not be reached, 403 when it (or the flow)
// refused, 409 for an account that must be linked from its account page,
// and the internal error page for anything else.
func (h *Handler) upstreamError(w http.ResponseWriter, r *http.Request, what string, err error) {
	status, title, message := http.StatusForbidden, m("idp.error.refused.title"), m("idp.error.refused.message")
	switch {
	case errors.Is(err, model.ErrUpstreamUnavailable):
		status, title, message = http.StatusBadGateway, m("idp.error.unavailable.title"), m("idp.error.unavailable.message")
	case errors.Is(err, model.ErrUpstreamRefused):
	case errors.Is(err, idp.ErrNoAccount):
		message = m("idp.error.no_account")
	case errors.Is(err, model.ErrSuspended):
		message = m("login.error.suspended")
	case errors.Is(err, idp.ErrEmailTaken):
		status, title, message = http.StatusConflict, m("idp.error.conflict.title"), m("idp.error.email_taken")
	case errors.Is(err, idp.ErrAlreadyLinked):
		status, title, message = http.StatusConflict, m("idp.error.conflict.title"), m("idp.error.already_linked")
	default:
		h.internalError(w, r, "upstream: "+what, err)
		return
	}
	h.log.InfoContext(r.Context(), "login: upstream sign-in refused", "step", what, "path", r.URL.Path, "err", err)
	h.renderError(w, r, status, title, message, "")
}

// idpCallback finishes a web sign-in: the flow cookie (always deleted)
// must be live and this connection's, and the state the upstream sent
// back must be its own. A flow that links an account links it; a sign-in
// goes through finishSignIn, or to the link confirmation.
func (h *Handler) idpCallback(w http.ResponseWriter, r *http.Request) {
	c, err := h.idp.ConnByIdentifier(r.Context(), r.PathValue("identifier"))
	if errors.Is(err, model.ErrNotFound) || err == nil && !model.IdPWeb(c.Type) {
		h.idpNotFound(w, r)
		return
	}
	if err != nil {
		h.internalError(w, r, "upstream: connection", err)
		return
	}
	h.setCookie(w, r, flowCookie, connectionsPath, "", 0)
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		h.upstreamError(w, r, "callback", errors.Join(model.ErrUpstreamRefused, errors.New("the provider answered "+e)))
		return
	}
	cookie, err := r.Cookie(flowCookie)
	if err != nil {
		h.upstreamError(w, r, "callback", errors.Join(model.ErrUpstreamRefused, errors.New("no flow cookie")))
		return
	}
	f, err := h.idp.OpenFlow(cookie.Value)
	if err != nil {
		h.upstreamError(w, r, "callback", err)
		return
	}
	ctx, ip := r.Context(), audit.ClientIP(r)
	p, t, err := h.idp.Complete(ctx, c, f, q.Get("state"), q.Get("code"))
	if err != nil {
		h.upstreamError(w, r, "callback", err)
		return
	}
	if f.LinkUserID != "" {
		h.linkFromFlow(w, r, c, f, p, t)
		return
	}
	returnTo := safeReturnTo(f.ReturnTo)
	out, err := h.idp.SignIn(ctx, c, p, t, ip, clientOf(returnTo))
	if need, ok := errors.AsType[*idp.LinkNeeded](err); ok {
		h.askLink(w, r, pendingLink{ConnID: c.ID, Profile: p, Tokens: t, UserID: need.User.ID, ReturnTo: returnTo,
			First: mfa.FirstUpstream})
		return
	}
	if err != nil {
		h.upstreamError(w, r, "sign-in", err)
		return
	}
	h.finishSignInBy(w, r, out.User.ID, mfa.FirstUpstream, "idp:"+c.Type, returnTo, true)
}

// linkFromFlow links the upstream account of a flow begun to link it. A
// flow from the account page (its ReturnTo set) needs the same user's
// session; a ticket's flow (no ReturnTo) was proven by the ticket.
func (h *Handler) linkFromFlow(w http.ResponseWriter, r *http.Request, c *model.ExtIdpConn, f *idp.Flow, p *model.UpstreamProfile, t *model.UpstreamTokens) {
	u, err := h.currentUser(r)
	if err != nil {
		h.internalError(w, r, "upstream: session", err)
		return
	}
	same := u != nil && u.ID == f.LinkUserID
	if f.ReturnTo != "" && !same {
		h.renderError(w, r, http.StatusForbidden, m("idp.error.refused.title"), m("idp.error.link_session"), "")
		return
	}
	if err := h.idp.Link(r.Context(), c, p, t, f.LinkUserID, audit.ClientIP(r)); err != nil {
		h.upstreamError(w, r, "link", err)
		return
	}
	if !same {
		h.render(w, r, http.StatusOK, "idplinked", page{Title: m("idp.linked.title"), Message: m("idp.linked.message", c.DisplayName),
			LoginHref: withReturnTo("/login", accountPath), switchBase: "/"})
		return
	}
	http.Redirect(w, r, identitiesAnchor, http.StatusSeeOther)
}

// pendingLink is an upstream sign-in waiting in linkCookie for the user
// to confirm linking it to UserID, the account with its email.
type pendingLink struct {
	ConnID   string                 `json:"c"`
	Profile  *model.UpstreamProfile `json:"p"`
	Tokens   *model.UpstreamTokens  `json:"t,omitempty"`
	UserID   string                 `json:"u"`
	ReturnTo string                 `json:"r"`
	First    string                 `json:"f"`
	Expires  int64                  `json:"e"`
}

// askLink keeps l in linkCookie and sends the browser to confirm it.
func (h *Handler) askLink(w http.ResponseWriter, r *http.Request, l pendingLink) {
	l.Expires = h.idp.Now().Add(idpCookieLife).Unix()
	sealed, err := h.sealLink(l)
	if err == nil && len(sealed) > maxCookieValue {
		// What the provider returned does not fit a cookie: the link
		// keeps the mapped profile, and the next sign-in stores the rest.
		l.Tokens, l.Profile.Raw = nil, nil
		sealed, err = h.sealLink(l)
	}
	if err != nil {
		h.internalError(w, r, "upstream: seal the link", err)
		return
	}
	h.setCookie(w, r, linkCookie, connectionsPath, sealed, idpCookieLife)
	http.Redirect(w, r, idpLinkPath, http.StatusSeeOther)
}

func (h *Handler) sealLink(l pendingLink) (string, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return "", err
	}
	sealed, err := h.idp.Sealer.Seal(linkSealPurpose, b)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// heldLink is the request's live linkCookie with its connection and user,
// or the refused page is shown and nil returned.
func (h *Handler) heldLink(w http.ResponseWriter, r *http.Request) (*pendingLink, *model.ExtIdpConn, *model.User) {
	var l pendingLink
	ok := false
	if c, err := r.Cookie(linkCookie); err == nil {
		if raw, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil {
			if b, err := h.idp.Sealer.Open(linkSealPurpose, raw); err == nil {
				ok = json.Unmarshal(b, &l) == nil && l.Profile != nil && h.idp.Now().Unix() < l.Expires
			}
		}
	}
	if !ok {
		h.setCookie(w, r, linkCookie, connectionsPath, "", 0)
		h.renderError(w, r, http.StatusForbidden, m("idp.error.refused.title"), m("idp.error.refused.message"), "")
		return nil, nil, nil
	}
	ctx := r.Context()
	c, err := h.idp.Conn(ctx, l.ConnID)
	if err != nil {
		h.upstreamError(w, r, "link: connection", notFoundRefused(err))
		return nil, nil, nil
	}
	u, err := h.store.GetUser(ctx, l.UserID)
	if err != nil {
		h.upstreamError(w, r, "link: user", notFoundRefused(err))
		return nil, nil, nil
	}
	if !users.Active(u) {
		h.upstreamError(w, r, "link: user", model.ErrSuspended)
		return nil, nil, nil
	}
	return &l, c, u
}

// notFoundRefused is err, a connection or user gone since the flow began
// counting as a refused sign-in.
func notFoundRefused(err error) error {
	if errors.Is(err, model.ErrNotFound) {
		return errors.Join(model.ErrUpstreamRefused, err)
	}
	return err
}

// idpLinkForm asks whether to link the upstream account to the account
// that has its email.
func (h *Handler) idpLinkForm(w http.ResponseWriter, r *http.Request) {
	l, c, u := h.heldLink(w, r)
	if l == nil {
		return
	}
	h.render(w, r, http.StatusOK, "idplink", page{Title: m("idp.link.title"),
		Message: m("idp.link.lead", maskAddress(u.Email), c.DisplayName), Action: idpLinkPath,
		LoginHref: withReturnTo("/login", l.ReturnTo), switchBase: idpLinkPath})
}

// idpLinkConfirm links and signs in (confirm=yes), or forgets the
// upstream sign-in and goes back to the sign-in page (confirm=no).
func (h *Handler) idpLinkConfirm(w http.ResponseWriter, r *http.Request) {
	l, c, u := h.heldLink(w, r)
	if l == nil {
		return
	}
	switch r.PostFormValue("confirm") {
	case "yes":
	case "no":
		h.setCookie(w, r, linkCookie, connectionsPath, "", 0)
		http.Redirect(w, r, "/login?"+url.Values{"return_to": {safeReturnTo(l.ReturnTo)}}.Encode(), http.StatusSeeOther)
		return
	default:
		h.renderError(w, r, http.StatusBadRequest, m("idp.link.title"), m("idp.error.choose"), "")
		return
	}
	h.setCookie(w, r, linkCookie, connectionsPath, "", 0)
	if err := h.idp.Link(r.Context(), c, l.Profile, l.Tokens, u.ID, audit.ClientIP(r)); err != nil {
		h.upstreamError(w, r, "link", err)
		return
	}
	returnTo := safeReturnTo(l.ReturnTo)
	h.finishSignInBy(w, r, u.ID, l.First, "idp:"+c.Type, returnTo, true)
}

// directoryForm is the sign-in form of an LDAP or AD connection.
func (h *Handler) directoryForm(w http.ResponseWriter, r *http.Request) {
	returnTo := safeReturnTo(r.URL.Query().Get("return_to"))
	c := h.offeredConn(w, r, returnTo, false)
	if c == nil {
		return
	}
	h.showDirectory(w, r, http.StatusOK, c, returnTo, "", nil)
}

func (h *Handler) showDirectory(w http.ResponseWriter, r *http.Request, status int, c *model.ExtIdpConn, returnTo, username string, errs map[string]*msg) {
	name, err := h.appName(r, returnTo)
	if err != nil {
		h.internalError(w, r, "directory sign-in: application", err)
		return
	}
	path := connectionsPath + url.PathEscape(c.Identifier) + "/ldap"
	h.render(w, r, status, "idpldap", page{
		Title:      m("idp.signin", c.DisplayName),
		AppName:    name,
		ReturnTo:   returnTo,
		Action:     path,
		Error:      errs["form"],
		LoginHref:  withReturnTo("/login", returnTo),
		Fields:     credentialFields("idp.ldap.username", "username", username, errs),
		switchBase: withReturnTo(path, returnTo),
	})
}

// directorySignIn checks the directory password (an attempt counted as a
// password's, signin.Directory) and signs the account linked to it in.
func (h *Handler) directorySignIn(w http.ResponseWriter, r *http.Request) {
	returnTo := safeReturnTo(r.PostFormValue("return_to"))
	c := h.offeredConn(w, r, returnTo, false)
	if c == nil {
		return
	}
	username, pw := r.PostFormValue("username"), r.PostFormValue("password")
	errs := map[string]*msg{}
	if strings.TrimSpace(username) == "" {
		errs["username"] = m("idp.ldap.error.username_required")
	}
	if pw == "" {
		errs["password"] = m("login.error.password_required")
	}
	if len(errs) > 0 {
		h.showDirectory(w, r, http.StatusBadRequest, c, returnTo, username, errs)
		return
	}
	out, err := h.signin.Directory(r.Context(), signin.DirectoryAttempt{Conn: c, Login: username, Password: pw,
		IP: audit.ClientIP(r), ClientID: clientOf(returnTo)})
	if need, ok := errors.AsType[*idp.LinkNeeded](err); ok {
		h.askLink(w, r, pendingLink{ConnID: c.ID, Profile: need.Profile, UserID: need.User.ID, ReturnTo: returnTo, First: mfa.FirstPassword})
		return
	}
	status, problem := http.StatusOK, (*msg)(nil)
	switch {
	case errors.Is(err, throttle.ErrLocked):
		retryAfter(w, err)
		status, problem = http.StatusTooManyRequests, m("login.error.locked")
	case errors.Is(err, model.ErrBadCredentials):
		status, problem = http.StatusUnauthorized, m("login.error.wrong")
	case errors.Is(err, model.ErrUpstreamUnavailable):
		h.log.WarnContext(r.Context(), "login: directory unavailable", "connection", c.Identifier, "err", err)
		status, problem = http.StatusBadGateway, m("idp.error.unavailable.message")
	case errors.Is(err, model.ErrSuspended):
		status, problem = http.StatusForbidden, m("login.error.suspended")
	case errors.Is(err, idp.ErrNoAccount):
		status, problem = http.StatusForbidden, m("idp.error.no_account")
	case errors.Is(err, idp.ErrEmailTaken):
		status, problem = http.StatusConflict, m("idp.error.email_taken")
	case err != nil:
		h.internalError(w, r, "directory sign-in", err)
		return
	}
	if problem != nil {
		key := "credentials"
		if status != http.StatusUnauthorized && status != http.StatusTooManyRequests {
			key = "form"
		}
		h.showDirectory(w, r, status, c, returnTo, username, map[string]*msg{key: problem})
		return
	}
	h.finishSignInBy(w, r, out.User.ID, mfa.FirstPassword, "idp:"+c.Type, returnTo, true)
}
