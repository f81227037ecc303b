package oauth

import (
	"context"
	"errors"
	"github.com/opengenauth/genauth/internal/protocol/claims"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"time"

	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// grantRefreshToken mints a new access token from a refresh token (RFC 6749
// section 6). With rotation (RFC 9700 section 4.14.2) the refresh token is
// replaced too; without, it stays valid and is returned again.
func (h *Handler) grantRefreshToken(r request, app *model.Application, p params) (*issuedTokens, *Error) {
	if !app.AllowsGrant(model.GrantRefreshToken) {
		return nil, unauthorizedClient("the refresh_token grant is not enabled for this application")
	}
	value := p.get("refresh_token")
	if value == "" {
		return nil, invalidRequest("refresh_token is required")
	}
	ctx := r.Context()
	now := h.now()
	rt, err := h.cfg.Store.GetToken(ctx, token.Hash(value))
	if errors.Is(err, model.ErrNotFound) {
		return nil, invalidGrant("the refresh token is invalid")
	}
	if err != nil {
		return nil, h.internal(ctx, "looking up refresh token", err)
	}
	inactive := invalidGrant("the refresh token is invalid, expired or revoked")
	if rt.Kind != model.TokenRefresh || rt.ClientID != app.ID || !now.Before(rt.ExpiresAt) {
		return nil, inactive
	}
	// A rotated (revoked) refresh token still goes to the store, which tells
	// a retry within the grace period from a reuse.
	if !rt.RevokedAt.IsZero() && !app.RotateRefreshTokens {
		return nil, inactive
	}
	if app.RotateRefreshTokens && app.RefreshIdleTTL > 0 && now.Sub(rt.IssuedAt) > app.RefreshIdleTTL {
		return nil, invalidGrant("the refresh token was unused for too long")
	}
	// A suspended or deleted user's refresh tokens stop working at once.
	user, err := h.cfg.Users.GetUser(ctx, rt.UserID)
	if errors.Is(err, model.ErrNotFound) || (err == nil && !users.Active(user)) {
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
	access, accessValue, e := h.mintAccess(ctx, app, rt.UserID, scope, rt.Protocol, rt.GrantID, now)
	if e != nil {
		return nil, e
	}
	access.ParentID = rt.ID
	refreshValue := value
	var rotated *model.Token
	if app.RotateRefreshTokens {
		rotated, refreshValue = h.mint(model.TokenRefresh, app, rt.UserID, rt.Scope, rt.Protocol, rt.GrantID, now)
		rotated.ParentID, rotated.ACR = rt.ID, rt.ACR
		rotated.ExpiresAt = rt.ExpiresAt // the grant's absolute limit
		access.ParentID = rotated.ID
	}
	resp := issued(access, accessValue, refreshValue)
	if claims.IsOIDC(rt.Protocol, scope) {
		if resp.IDToken, e = h.signIDToken(r, app, user, scope, idtoken.Token{ACR: rt.ACR, AccessToken: accessValue}); e != nil {
			return nil, e
		}
	}
	if rotated != nil {
		err = h.cfg.Store.RotateRefreshToken(ctx, rt.ID, now, app.RefreshGracePeriod, []*model.Token{access, rotated})
	} else {
		err = h.cfg.Store.RefreshTokens(ctx, rt.ID, now, []*model.Token{access})
	}
	switch {
	case errors.Is(err, model.ErrTokenReused):
		h.record(r.Request, model.AuditEvent{Type: model.AuditRefreshReuse, UserID: rt.UserID, ClientID: app.ID, Detail: "grant revoked"})
		return nil, invalidGrant("the refresh token was already used; every token of its grant is revoked")
	case errors.Is(err, model.ErrInactive), errors.Is(err, model.ErrNotFound):
		return nil, inactive
	case err != nil:
		return nil, h.internal(ctx, "refreshing", err)
	}
	return resp, nil
}

// noteUse records the first use of an access token that a refresh token
// rotation issued, while a retry of the rotated token could still replace
// it (within the application's grace period of its issue): such a retry is
// then refused as reuse. Uses at userinfo and introspection are the ones
// GenAuth sees: resource servers ask it about opaque tokens, while a JWT
// checked offline is never seen.
func (h *Handler) noteUse(ctx context.Context, app *model.Application, t *model.Token, now time.Time) *Error {
	if t.Kind != model.TokenAccess || t.ParentID == "" || !t.UsedAt.IsZero() ||
		!app.RotateRefreshTokens || now.Sub(t.IssuedAt) > app.RefreshGracePeriod {
		return nil
	}
	if err := h.cfg.Store.RecordTokenUse(ctx, t.Hash, now); err != nil {
		return h.internal(ctx, "recording token use", err)
	}
	return nil
}
