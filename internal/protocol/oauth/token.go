package oauth

import (
	"context"
	"net/http"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"github.com/opengenauth/genauth/internal/wire"
)

// token serves POST /P/token: one client authentication, then the grant.
func (h *Handler) token(w http.ResponseWriter, r request) *Error {
	if r.Method != http.MethodPost {
		return methodNotAllowed(http.MethodPost)
	}
	p, e := parseBody(w, r.Request)
	if e != nil {
		return e
	}
	grant := p.get("grant_type")
	if grant == "" {
		return invalidRequest("grant_type is required")
	}
	app, e := h.authenticateClient(r.Request, p, func(a *model.Application) string { return a.TokenAuthMethod })
	if e != nil {
		return e
	}
	var resp *issuedTokens
	switch grant {
	case model.GrantAuthorizationCode:
		resp, e = h.grantAuthorizationCode(r, app, p)
	case model.GrantRefreshToken:
		resp, e = h.grantRefreshToken(r, app, p)
	case model.GrantClientCredentials:
		resp, e = h.grantClientCredentials(r, app, p)
	default:
		return unsupportedGrantType("grant_type " + safeName(grant) + " is not supported")
	}
	if e != nil {
		return e
	}
	h.record(r.Request, model.AuditEvent{Type: model.AuditTokenIssue, UserID: resp.subject, ClientID: app.ID, Detail: grant})
	writeJSON(w, http.StatusOK, &resp.TokenResponse)
	return nil
}

// mint returns a new opaque token and its plain value.
func (h *Handler) mint(kind string, app *model.Application, userID, scope, protocol, grantID string, now time.Time) (*model.Token, string) {
	t := newToken(kind, app, userID, scope, protocol, grantID, h.cfg.Tokens.JTI(), now)
	value := h.cfg.Tokens.Opaque()
	t.Hash = token.Hash(value)
	return t, value
}

// mintAccess returns a new access token in the application's format and
// its value. A JWT is recorded like an opaque token, by the hash of its
// value, so that revocation, introspection and userinfo treat both alike.
func (h *Handler) mintAccess(ctx context.Context, app *model.Application, userID, scope, protocol, grantID string, now time.Time) (*model.Token, string, *Error) {
	if app.AccessTokenFormat != model.AccessTokenJWT {
		t, value := h.mint(model.TokenAccess, app, userID, scope, protocol, grantID, now)
		return t, value, nil
	}
	t := newToken(model.TokenAccess, app, userID, scope, protocol, grantID, h.cfg.Tokens.JTI(), now)
	value, err := h.cfg.Keys.SignAccessToken(ctx, idtoken.AccessToken{
		Issuer: h.issuer(protocol), Subject: userID, ClientID: app.ID, Scope: scope, ID: t.ID,
		IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt,
	})
	if err != nil {
		return nil, "", h.internal(ctx, "signing access token", err)
	}
	t.Hash = token.Hash(value)
	return t, value, nil
}

func newToken(kind string, app *model.Application, userID, scope, protocol, grantID, id string, now time.Time) *model.Token {
	ttl := app.AccessTokenTTL
	if kind == model.TokenRefresh {
		ttl = app.RefreshTokenTTL
	}
	return &model.Token{
		ID:        id,
		Kind:      kind,
		GrantID:   grantID,
		ClientID:  app.ID,
		UserID:    userID,
		Scope:     scope,
		Protocol:  protocol,
		IssuedAt:  now,
		ExpiresAt: now.Add(ttl),
	}
}

// issuedTokens is what a grant issued: the token endpoint's answer and,
// for the audit trail, whom the tokens were issued to.
type issuedTokens struct {
	wire.TokenResponse
	subject string
}

// issued describes freshly minted tokens for the response.
func issued(access *model.Token, accessValue, refreshValue string) *issuedTokens {
	return &issuedTokens{
		TokenResponse: wire.TokenResponse{
			AccessToken:  accessValue,
			TokenType:    "Bearer",
			ExpiresIn:    int64(access.ExpiresAt.Sub(access.IssuedAt) / time.Second),
			RefreshToken: refreshValue,
			Scope:        access.Scope,
		},
		subject: access.UserID,
	}
}
