package oauth

import (
	"errors"

	"github.com/opengenauth/genauth"
	"github.com/opengenauth/genauth/internal/oidc"
	"github.com/opengenauth/genauth/internal/users"
)

// grantRefreshToken mints a new access token from a refresh token (RFC 6749
// section 6). The refresh token itself stays valid and is returned again.
func (h *Handler) grantRefreshToken(r request, app *genauth.Application, p params) (*tokenResponse, *Error) {
	if !app.AllowsGrant(genauth.GrantRefreshToken) {
		return nil, unauthorizedClient("the refresh_token grant is not enabled for this application")
	}
	value := p.get("refresh_token")
	if value == "" {
		return nil, invalidRequest("refresh_token is required")
	}
	ctx := r.Context()
	now := h.now()
	rt, err := h.cfg.Store.GetToken(ctx, hashToken(value))
	if errors.Is(err, genauth.ErrNotFound) {
		return nil, invalidGrant("the refresh token is invalid")
	}
	if err != nil {
		return nil, h.internal(ctx, "looking up refresh token", err)
	}
	if rt.Kind != genauth.TokenRefresh || rt.ClientID != app.ID || !rt.Active(now) {
		return nil, invalidGrant("the refresh token is invalid, expired or revoked")
	}
	// A suspended or deleted user's refresh tokens stop working at once.
	if u, err := h.cfg.Store.GetUser(ctx, rt.UserID); errors.Is(err, genauth.ErrNotFound) || (err == nil && !users.Active(u)) {
		return nil, invalidGrant("the refresh token's user is suspended or no longer exists")
	} else if err != nil {
		return nil, h.internal(ctx, "looking up user", err)
	}
	scope := rt.Scope
	var e *Error
	if _, ok := p["scope"]; ok {
		if scope, e = narrowScope(p.get("scope"), rt.Scope); e != nil {
			return nil, e
		}
	}
	access, accessValue := h.mint(genauth.TokenAccess, app, rt.UserID, scope, rt.Protocol, rt.GrantID, now)
	access.ParentID = rt.ID
	resp := issued(access, accessValue, value)
	if oidc.IsOIDC(rt.Protocol, scope) {
		if resp.IDToken, e = h.idToken(r, app, rt.UserID, scope, oidc.IDToken{AccessToken: accessValue}); e != nil {
			return nil, e
		}
	}
	switch err := h.cfg.Store.RefreshTokens(ctx, rt.ID, now, []*genauth.Token{access}); {
	case errors.Is(err, genauth.ErrInactive), errors.Is(err, genauth.ErrNotFound):
		return nil, invalidGrant("the refresh token is invalid, expired or revoked")
	case err != nil:
		return nil, h.internal(ctx, "refreshing", err)
	}
	return resp, nil
}
