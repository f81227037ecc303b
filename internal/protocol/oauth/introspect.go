package oauth

import (
	"cmp"
	"errors"
	"net/http"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/wire"
)

// introspect serves POST /P/token/introspection (RFC 7662). A client sees
// only its own tokens; everything else is {"active":false}. `iss` names the
// token's issuer (the prefix it was issued under), not the endpoint asked.
func (h *Handler) introspect(w http.ResponseWriter, r request) *Error {
	if r.Method != http.MethodPost {
		return methodNotAllowed(http.MethodPost)
	}
	p, e := parseBody(w, r.Request)
	if e != nil {
		return e
	}
	app, e := h.authenticateClient(r.Request, p, func(a *model.Application) string { return a.IntrospectionAuthMethod })
	if e != nil {
		return e
	}
	value := p.get("token")
	if value == "" {
		return invalidRequest("token is required")
	}
	t, err := h.cfg.Store.GetToken(r.Context(), token.Hash(value))
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return h.internal(r.Context(), "looking up token", err)
	}
	now := h.now()
	if err != nil || t.ClientID != app.ID || !t.Active(now) {
		writeJSON(w, http.StatusOK, wire.Introspection{Active: false})
		return nil
	}
	if e := h.noteUse(r.Context(), app, t, now); e != nil {
		return e
	}
	resp := wire.Introspection{
		Active:    true,
		Sub:       cmp.Or(t.UserID, t.ClientID),
		ClientID:  t.ClientID,
		Exp:       t.ExpiresAt.Unix(),
		Iat:       t.IssuedAt.Unix(),
		Iss:       h.issuer(t.Protocol), // the token's issuer, whichever endpoint is asked
		JTI:       t.ID,
		Scope:     t.Scope,
		TokenType: "Bearer",
	}
	if t.Kind == model.TokenRefresh {
		resp.TokenType = "refresh_token"
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
