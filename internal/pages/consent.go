package pages

import (
	"errors"
	"net/http"
	"sort"
	"strconv"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
)

// ConsentPage is what the consent page shows: the application, the scopes
// it asks for, and the form that posts the decision back to Action with a
// button named "consent" valued "approve" or "deny".
type ConsentPage struct {
	AppName string
	Scopes  []string
	Action  string
	Fields  map[string]string
}

type hiddenField struct{ Name, Value string }

// sortedFields are a form's hidden fields in name order.
func sortedFields(fields map[string]string) []hiddenField {
	hidden := make([]hiddenField, 0, len(fields))
	for name, value := range fields {
		hidden = append(hidden, hiddenField{name, value})
	}
	sort.Slice(hidden, func(i, j int) bool { return hidden[i].Name < hidden[j].Name })
	return hidden
}

// consentItem is one application the user allowed, on the home page.
type consentItem struct {
	ClientID string
	AppName  string
}

// RenderConsent shows the consent page.
func (h *Handler) RenderConsent(w http.ResponseWriter, r *http.Request, c ConsentPage) {
	scopes := make([]*msg, 0, len(c.Scopes))
	for _, s := range c.Scopes {
		if key := "scope." + s; i18n.Has(i18n.English, key) && s != "other" {
			scopes = append(scopes, m(key))
		} else {
			scopes = append(scopes, m("scope.other", s))
		}
	}
	p := page{
		Title:   m("consent.title"),
		AppName: c.AppName,
		Scopes:  scopes,
		Action:  c.Action,
		Hidden:  sortedFields(c.Fields),
		User:    h.signedInName(r, "consent"),
	}
	h.render(w, r, http.StatusOK, "consent", p)
}

// signedInName names the signed-in user for a page that asks them to
// decide, or is "" (the page works without it).
func (h *Handler) signedInName(r *http.Request, pageName string) string {
	u, err := h.currentUser(r)
	if err != nil {
		h.log.WarnContext(r.Context(), "login: "+pageName+" page: current user", "err", err)
	}
	if u == nil {
		return ""
	}
	return displayName(u)
}

// consents lists the applications the user allowed, for the home page.
func (h *Handler) consents(r *http.Request, userID string) ([]consentItem, error) {
	list, err := h.store.ListConsents(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	items := make([]consentItem, 0, len(list))
	for _, c := range list {
		name := c.ClientID
		app, err := h.store.GetApplication(r.Context(), c.ClientID)
		switch {
		case err == nil:
			name = app.Name
		case !errors.Is(err, model.ErrNotFound):
			return nil, err
		}
		items = append(items, consentItem{ClientID: c.ClientID, AppName: name})
	}
	return items, nil
}

// revokeConsent is POST /consents/revoke: the signed-in user withdraws an
// application's consent. Every token the application holds for the user
// ends with it, at once, and its unredeemed codes are deleted; the browser
// stays signed in, and the next sign-in to the application asks again.
func (h *Handler) revokeConsent(w http.ResponseWriter, r *http.Request) {
	s, err := h.sessions.Current(r)
	if errors.Is(err, model.ErrNotFound) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if err != nil {
		h.internalError(w, r, "revoke consent: session", err)
		return
	}
	if clientID := r.PostForm.Get("client_id"); clientID != "" {
		revoked, err := h.store.WithdrawConsent(r.Context(), s.UserID, clientID, h.sessions.Now())
		if err != nil {
			h.internalError(w, r, "revoke consent", err)
			return
		}
		h.record(r, model.AuditEvent{Type: model.AuditConsentRevoke, UserID: s.UserID, ClientID: clientID,
			Detail: strconv.Itoa(revoked) + " tokens revoked"})
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
