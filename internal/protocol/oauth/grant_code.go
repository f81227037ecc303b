package oauth

import (
	"errors"
	"github.com/opengenauth/genauth/internal/protocol/claims"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// grantAuthorizationCode redeems a code (RFC 6749 section 4.1.3, RFC 7636).
func (h *Handler) grantAuthorizationCode(r request, app *model.Application, p params) (*issuedTokens, *Error) {
	if !app.AllowsGrant(model.GrantAuthorizationCode) {
		return nil, unauthorizedClient("the authorization_code grant is not enabled for this application")
	}
	code := p.get("code")
	if code == "" {
		return nil, invalidRequest("code is required")
	}
	if v, ok := p["code_verifier"]; ok && !validPKCEValue(v) {
		return nil, invalidRequest("code_verifier must be 43 to 128 unreserved characters")
	}
	ctx := r.Context()
	now := h.now()
	hash := token.Hash(code)
	c, err := h.cfg.Store.GetAuthCode(ctx, hash, now)
	switch {
	case errors.Is(err, model.ErrCodeRedeemed):
		// A replayed code may be stolen: revoke what the first redemption issued.
		if err := h.cfg.Store.RedeemAuthCode(ctx, hash, now, nil); err != nil && !errors.Is(err, model.ErrCodeRedeemed) && !errors.Is(err, model.ErrNotFound) {
			return nil, h.internal(ctx, "revoking a replayed code's tokens", err)
		}
		h.record(r.Request, model.AuditEvent{Type: model.AuditCodeReuse, ClientID: app.ID, Detail: "grant revoked"})
		return nil, invalidGrant("the authorization code was already used")
	case errors.Is(err, model.ErrNotFound):
		return nil, invalidGrant("the authorization code is invalid or expired")
	case err != nil:
		return nil, h.internal(ctx, "looking up code", err)
	}
	if e := checkRedemption(c, app, p); e != nil {
		return nil, h.spoilCode(r, app, c, hash, now, e)
	}

	access, accessValue, e := h.mintAccess(ctx, app, c.UserID, c.Scope, c.Protocol, c.GrantID, now)
	if e != nil {
		return nil, e
	}
	tokens := []*model.Token{access}
	var refreshValue string
	if issueRefresh(app, c.Protocol, c.Scope) {
		var refresh *model.Token
		refresh, refreshValue = h.mint(model.TokenRefresh, app, c.UserID, c.Scope, c.Protocol, c.GrantID, now)
		refresh.ACR = c.ACR
		access.ParentID = refresh.ID
		tokens = append(tokens, refresh)
	}
	resp := issued(access, accessValue, refreshValue)
	if claims.IsOIDC(c.Protocol, c.Scope) {
		resp.IDToken, e = h.idToken(r, app, c.UserID, c.Scope, idtoken.Token{
			Nonce:       c.Nonce,
			AuthTime:    c.AuthTime,
			AMR:         c.AMR,
			ACR:         c.ACR,
			SessionID:   sessionID(c.SessionIDHash),
			AccessToken: accessValue,
		})
		if e != nil {
			return nil, e
		}
	}
	switch err := h.cfg.Store.RedeemAuthCode(ctx, hash, now, tokens); {
	case errors.Is(err, model.ErrCodeRedeemed):
		h.record(r.Request, model.AuditEvent{Type: model.AuditCodeReuse, UserID: c.UserID, ClientID: app.ID, Detail: "grant revoked"})
		return nil, invalidGrant("the authorization code was already used")
	case errors.Is(err, model.ErrNotFound):
		return nil, invalidGrant("the authorization code is invalid or expired")
	case err != nil:
		return nil, h.internal(ctx, "redeeming code", err)
	}
	return resp, nil
}

// checkRedemption checks a token request against the code it redeems: the
// client it was issued to, the redirect URI and the PKCE verifier.
func checkRedemption(c *model.AuthCode, app *model.Application, p params) *Error {
	if c.ClientID != app.ID {
		return invalidGrant("the authorization code was issued to another client")
	}
	redirectURI, hasRedirect := p["redirect_uri"]
	if !hasRedirect {
		return invalidRequest("redirect_uri is required")
	}
	if redirectURI != c.RedirectURI {
		return invalidGrant("redirect_uri does not match the authorization request")
	}
	verifier, hasVerifier := p["code_verifier"]
	switch {
	case c.CodeChallenge != "" && !hasVerifier:
		return invalidGrant("code_verifier is required")
	case c.CodeChallenge == "" && hasVerifier:
		return invalidGrant("code_verifier was sent but the authorization request had no code_challenge")
	case c.CodeChallenge != "" && !verifyPKCE(c.CodeChallenge, c.CodeChallengeMethod, verifier):
		return invalidGrant("code_verifier does not match the code_challenge")
	}
	return nil
}

// spoilCode uses up a code whose redemption failed and returns cause: one
// wrong guess at the redirect URI or the verifier is all a code allows
// (RFC 9700 section 4.5). Nothing else is revoked: no token came from the
// unredeemed code, and other grants are not the failed request's to end. If
// a concurrent redemption won, this attempt is a replay like any other and
// the store revokes what that redemption issued.
func (h *Handler) spoilCode(r request, app *model.Application, c *model.AuthCode, hash string, now time.Time, cause *Error) *Error {
	switch err := h.cfg.Store.RedeemAuthCode(r.Context(), hash, now, nil); {
	case errors.Is(err, model.ErrCodeRedeemed):
		h.record(r.Request, model.AuditEvent{Type: model.AuditCodeReuse, UserID: c.UserID, ClientID: app.ID, Detail: "grant revoked"})
	case err != nil && !errors.Is(err, model.ErrNotFound):
		return h.internal(r.Context(), "using up a code", err)
	}
	return cause
}

// issueRefresh says whether a grant gets a refresh token: OpenID Connect
// grants only with offline_access; plain OAuth grants always (classic GenAuth),
// in both cases only when the application allows the refresh_token grant.
func issueRefresh(app *model.Application, protocol, scope string) bool {
	if !app.AllowsGrant(model.GrantRefreshToken) {
		return false
	}
	return !claims.IsOIDC(protocol, scope) || claims.HasScope(scope, "offline_access")
}

// idToken signs an id token for userID at the token endpoint; t carries the
// per-grant claims (nonce, auth_time, sid, at_hash).
func (h *Handler) idToken(r request, app *model.Application, userID, scope string, t idtoken.Token) (string, *Error) {
	u, err := h.cfg.Users.GetUser(r.Context(), userID)
	if errors.Is(err, model.ErrNotFound) {
		return "", invalidGrant("the user no longer exists")
	}
	if err != nil {
		return "", h.internal(r.Context(), "looking up user", err)
	}
	return h.signIDToken(r, app, u, scope, t)
}

// signIDToken signs an id token for u.
func (h *Handler) signIDToken(r request, app *model.Application, u *model.User, scope string, t idtoken.Token) (string, *Error) {
	t.Issuer, t.User, t.App, t.Scope = h.issuer(model.ProtocolOIDC), u, app, scope
	signed, err := h.cfg.Keys.Sign(r.Context(), t)
	if err != nil {
		return "", h.internal(r.Context(), "signing id token", err)
	}
	return signed, nil
}
