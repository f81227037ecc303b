package pages

import (
	"net"
	"net/http"
	"net/url"
)

// recordLogin adds a sign-in by method (mfa.LoginMethod's, or an upstream
// provider's "idp:<type>") to the user's login history: the application
// named by return_to's client_id (when it exists), the client address and
// user agent. A failure is logged, not shown: the user is signed in anyway.
func (h *Handler) recordLogin(r *http.Request, userID, returnTo, method string) {
	ctx := r.Context()
	appID := ""
	if u, err := url.Parse(returnTo); err == nil {
		if id := u.Query().Get("client_id"); id != "" {
			if _, err := h.store.GetApplication(ctx, id); err == nil {
				appID = id
			}
		}
	}
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	if err := h.users.RecordLoginBy(ctx, method, userID, appID, ip, r.UserAgent()); err != nil {
		h.log.WarnContext(ctx, "login: recording login history", "err", err)
	}
}
