package oauth

import (
	"errors"
	"mime"
	"net/http"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// revoke serves POST /P/token/revocation (RFC 7009), the server side of
// backend logout. The body is a form or, as GenAuth's mobile SDKs send it,
// a JSON object; their Authorization: Bearer header is not client
// authentication and is ignored. Unknown and already invalid tokens get 200 (section 2.2);
// another client's live token is refused with unauthorized_client (section
// 2.1: the token must have been issued to the client asking).
func (h *Handler) revoke(w http.ResponseWriter, r request) *Error {
	if r.Method != http.MethodPost {
		return methodNotAllowed(http.MethodPost)
	}
	parse := parseBody
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		parse = parseJSONBody // iOS and Flutter log out with {client_id, token}
	}
	p, e := parse(w, r.Request)
	if e != nil {
		return e
	}
	app, e := h.authenticateClient(r.Request, p, func(a *model.Application) string { return a.RevocationAuthMethod })
	if e != nil {
		return e
	}
	value := p.get("token")
	if value == "" {
		return invalidRequest("token is required")
	}
	ctx := r.Context()
	hash := token.Hash(value)
	t, err := h.cfg.Store.GetToken(ctx, hash)
	switch {
	case errors.Is(err, model.ErrNotFound):
	case err != nil:
		return h.internal(ctx, "looking up token", err)
	case t.ClientID != app.ID:
		if t.Active(h.now()) {
			return unauthorizedClient("the token was not issued to this client")
		}
	default:
		if _, err := h.cfg.Store.RevokeToken(ctx, hash, h.now()); err != nil && !errors.Is(err, model.ErrNotFound) {
			return h.internal(ctx, "revoking token", err)
		}
		h.record(r.Request, model.AuditEvent{Type: model.AuditTokenRevoke, UserID: t.UserID, ClientID: app.ID, Detail: t.Kind})
	}
	writeJSON(w, http.StatusOK, true)
	return nil
}
