package pages

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/model"
)

// identitiesView is the account page's linked accounts section.
type identitiesView struct {
	// Recent: the session may link and unlink (as it may change second
	// factors); else the section says to sign in again.
	Recent bool
	Linked []identityView
	// Links are the web connections some application enables that the
	// user has no identity at.
	Links []idpLink
	Error *msg
}

// identityView is one linked identity: its provider's name, who the user
// is there, and when it was linked.
type identityView struct {
	ExtIdpID, Provider, Account, Added string
}

// accountKeys are the profile keys, in order, that name the upstream
// account on the account page when the connection's mapping does not.
var accountKeys = []string{"preferred_username", "username", "login", "uid", "sAMAccountName", "email", "mail"}

// identitiesSection builds the account page's linked accounts for u.
func (h *Handler) identitiesSection(r *http.Request, u *model.User, problem *msg) (*identitiesView, error) {
	if h.idp == nil {
		return nil, nil
	}
	ctx := r.Context()
	list, err := h.idp.Identities(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	v := &identitiesView{Error: problem}
	if v.Recent, err = h.recentSession(r); err != nil {
		return nil, err
	}
	linked := map[string]bool{}
	for _, i := range list {
		linked[i.ExtIdpID] = true
		e, err := h.idp.Store.GetExtIdp(ctx, i.ExtIdpID)
		if err != nil {
			return nil, err
		}
		// A connection deleted since: its provider's usual keys.
		var mapping map[string]string
		c, err := h.idp.Conn(ctx, i.ConnID)
		switch {
		case err == nil:
			mapping = c.Fields.Mapping
		case !errors.Is(err, model.ErrNotFound):
			return nil, err
		}
		v.Linked = append(v.Linked, identityView{ExtIdpID: i.ExtIdpID, Provider: e.Name, Account: upstreamAccount(i, mapping),
			Added: i.CreatedAt.UTC().Format("2006-01-02")})
	}
	conns, err := h.offeredConns(r, "/")
	if err != nil {
		return nil, err
	}
	for _, c := range conns {
		if model.IdPWeb(c.Type) && !linked[c.ExtIdpID] {
			v.Links = append(v.Links, idpLink{Href: connectionsPath + url.PathEscape(c.Identifier) + "/link-start", Name: c.DisplayName})
		}
	}
	return v, nil
}

// upstreamAccount is how the identity i names the user upstream: the
// username or email its profile holds, else its subject.
func upstreamAccount(i *model.Identity, mapping map[string]string) string {
	keys := append([]string{mapping[model.ProfileUsername], mapping[model.ProfileEmail]}, accountKeys...)
	for _, k := range keys {
		if s, ok := i.Profile[k].(string); ok && k != "" && s != "" {
			return s
		}
	}
	return i.Subject
}

// recentSession says whether the request's session began within
// recentAuth, as changing second factors requires.
func (h *Handler) recentSession(r *http.Request) (bool, error) {
	if h.factors != nil {
		return h.recent(r)
	}
	s, err := h.sessions.Current(r)
	if errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrInactive) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return h.idp.Now().Sub(s.AuthTime) < recentAuth, nil
}

// recentForIdentities is the signed-in user when the session is recent;
// otherwise the browser goes back to the account page's section, which
// says to sign in again, and nil is returned.
func (h *Handler) recentForIdentities(w http.ResponseWriter, r *http.Request) *model.User {
	u := h.signedIn(w, r)
	if u == nil {
		return nil
	}
	ok, err := h.recentSession(r)
	if err != nil {
		h.internalError(w, r, "account: session", err)
		return nil
	}
	if !ok {
		http.Redirect(w, r, accountPath+"?changed=stale_identities#identities", http.StatusSeeOther)
		return nil
	}
	return u
}

// unlinkIdentity removes the user's identity at the posted ExtIdp, unless
// it is the account's last way to sign in (409).
func (h *Handler) unlinkIdentity(w http.ResponseWriter, r *http.Request) {
	u := h.recentForIdentities(w, r)
	if u == nil {
		return
	}
	err := h.idp.Unlink(r.Context(), u.ID, r.PostFormValue("ext_idp_id"), audit.ClientIP(r))
	switch {
	case errors.Is(err, model.ErrNotFound):
		http.Redirect(w, r, identitiesAnchor, http.StatusSeeOther)
	case errors.Is(err, idp.ErrLastLogin):
		h.showAccount(w, r, http.StatusConflict, u, accountForm{idpErr: m("idp.account.last_login")})
	case err != nil:
		h.internalError(w, r, "account: unlink", err)
	default:
		http.Redirect(w, r, identitiesAnchor, http.StatusSeeOther)
	}
}

// idpLinkStart begins a web sign-in at the path's connection that links
// the upstream account to the signed-in user.
func (h *Handler) idpLinkStart(w http.ResponseWriter, r *http.Request) {
	u := h.recentForIdentities(w, r)
	if u == nil {
		return
	}
	c := h.offeredConn(w, r, "/", true)
	if c == nil {
		return
	}
	h.beginFlow(w, r, c, identitiesAnchor, u.ID)
}

// ticket is the path's connection and the user of the request's link
// ticket (generate-link-extidp-url), or the refused page is shown and nil
// returned.
func (h *Handler) ticket(w http.ResponseWriter, r *http.Request, t string) (*model.ExtIdpConn, *model.User) {
	userID, connID, err := h.idp.OpenLinkTicket(t)
	if err != nil {
		h.renderError(w, r, http.StatusForbidden, m("idp.error.refused.title"), m("idp.error.ticket"), "")
		return nil, nil
	}
	ctx := r.Context()
	c, err := h.idp.ConnByIdentifier(ctx, r.PathValue("identifier"))
	if errors.Is(err, model.ErrNotFound) || err == nil && (c.ID != connID || !model.IdPWeb(c.Type)) {
		h.idpNotFound(w, r)
		return nil, nil
	}
	if err != nil {
		h.internalError(w, r, "link ticket: connection", err)
		return nil, nil
	}
	u, err := h.store.GetUser(ctx, userID)
	if errors.Is(err, model.ErrNotFound) {
		h.renderError(w, r, http.StatusForbidden, m("idp.error.refused.title"), m("idp.error.ticket"), "")
		return nil, nil
	}
	if err != nil {
		h.internalError(w, r, "link ticket: user", err)
		return nil, nil
	}
	return c, u
}

// ticketForm asks whether to link: a ticket sent to someone else must not
// link silently.
func (h *Handler) ticketForm(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("ticket")
	c, u := h.ticket(w, r, t)
	if c == nil {
		return
	}
	h.render(w, r, http.StatusOK, "idpticket", page{Title: m("idp.ticket.title"),
		Message: m("idp.ticket.lead", c.DisplayName, displayName(u)),
		Action:  connectionsPath + url.PathEscape(c.Identifier) + "/link", Hidden: []hiddenField{{Name: "ticket", Value: t}}})
}

// ticketLink begins the web sign-in that links the ticket's user.
func (h *Handler) ticketLink(w http.ResponseWriter, r *http.Request) {
	c, u := h.ticket(w, r, r.PostFormValue("ticket"))
	if c == nil {
		return
	}
	h.beginFlow(w, r, c, "", u.ID)
}
