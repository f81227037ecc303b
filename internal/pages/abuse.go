package pages

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/model"
)

// record adds a security event when auditing is on.
func (h *Handler) record(r *http.Request, e model.AuditEvent) {
	if h.audit != nil {
		e.IP = audit.ClientIP(r)
		h.audit.Record(r.Context(), e)
	}
}

// throttleAccount names the account a sign-in attempt is counted against:
// the user's id when the login names one (so that username, email, phone and
// every variant of them share one count), else a keyed hash of the login in
// its normalised form (so that an unknown login's variants share one too,
// and the login is never stored). Both kinds lock
// the same way, which reveals nothing about which logins exist.
func (h *Handler) throttleAccount(ctx context.Context, login string) (string, error) {
	u, err := h.store.FindUserByLogin(ctx, login)
	switch {
	case err == nil:
		return throttle.UserAccount(u.ID), nil
	case errors.Is(err, model.ErrNotFound):
		// Prefixed apart, so that no typed login can pass for a user id.
		return h.limiter.UnknownAccount(login), nil
	default:
		return "", err
	}
}

// beginAttempt reserves a sign-in attempt for the account from the
// request's address before the password is checked; the error is
// throttle.ErrLocked (wrapped) when sign-ins for either are paused.
func (h *Handler) beginAttempt(r *http.Request, account string) (*throttle.Attempt, error) {
	return h.limiter.Begin(r.Context(), account, audit.ClientIP(r))
}

// allowRegistration counts a registration from the request's address.
func (h *Handler) allowRegistration(r *http.Request) error {
	if h.limiter == nil {
		return nil
	}
	return h.limiter.AllowRegistration(r.Context(), audit.ClientIP(r))
}

var errLocked = throttle.ErrLocked

// userOf is the user id in a throttle account name, or "" for an unknown login.
func userOf(account string) string {
	id, _ := strings.CutPrefix(account, "user:")
	if id == account {
		return ""
	}
	return id
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
