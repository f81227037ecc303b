package oauth

import (
	"github.com/opengenauth/genauth/internal/model"
)

// grantClientCredentials issues an access token to the client itself (RFC
// 6749 section 4.4), for machine-to-machine applications. No refresh token.
func (h *Handler) grantClientCredentials(r request, app *model.Application, p params) (*issuedTokens, *Error) {
	if !app.AllowsGrant(model.GrantClientCredentials) {
		return nil, unauthorizedClient("the client_credentials grant is not enabled for this application")
	}
	if app.TokenAuthMethod == model.AuthNone {
		return nil, unauthorizedClient("client_credentials needs a confidential client")
	}
	scope, e := normalizeScope(p.get("scope"))
	if e != nil {
		return nil, e
	}
	if e := allowedScope(scope, app.AllowedScopes); e != nil {
		return nil, e
	}
	now := h.now()
	access, value, e := h.mintAccess(r.Context(), app, "", scope, r.protocol, h.cfg.Tokens.JTI(), now)
	if e != nil {
		return nil, e
	}
	if err := h.cfg.Store.CreateTokens(r.Context(), access); err != nil {
		return nil, h.internal(r.Context(), "storing client token", err)
	}
	return issued(access, value, ""), nil
}
