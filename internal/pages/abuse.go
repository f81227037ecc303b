package pages

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/model"
)

// record adds a security event when auditing is on.
func (h *Handler) record(r *http.Request, e model.AuditEvent) {
	if h.audit != nil {
		e.IP = audit.ClientIP(r)
		h.audit.Record(r.Context(), e)
	}
}

// allowRegistration counts a registration from the request's address.
func (h *Handler) allowRegistration(r *http.Request) error {
	if h.limiter == nil {
		return nil
	}
	return h.limiter.AllowRegistration(r.Context(), audit.ClientIP(r))
}

// clientOf is the client_id of the authorization request in returnTo, if any.
func clientOf(returnTo string) string {
	u, err := url.Parse(returnTo)
	if err != nil {
		return ""
	}
	return u.Query().Get("client_id")
}

// endSession ends the request's browser session and records who signed out
// and how.
func (h *Handler) endSession(w http.ResponseWriter, r *http.Request, how string) error {
	s, err := h.sessions.Current(r)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return err
	}
	if err := h.sessions.End(w, r); err != nil {
		return err
	}
	if s != nil {
		h.record(r, model.AuditEvent{Type: model.AuditSessionEnd, UserID: s.UserID, Detail: how})
	}
	return nil
}
