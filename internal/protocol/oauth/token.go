package oauth

import (
	"net/http"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
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

// mint returns a new token and its plain value.
func (h *Handler) mint(kind string, app *model.Application, userID, scope, protocol, grantID string, now time.Time) (*model.Token, string) {
	value := h.cfg.Tokens.Opaque()
	ttl := app.AccessTokenTTL
	if kind == model.TokenRefresh {
		ttl = app.RefreshTokenTTL
	}
	return &model.Token{
		Hash:      token.Hash(value),
		ID:        h.cfg.Tokens.JTI(),
		Kind:      kind,
		GrantID:   grantID,
		ClientID:  app.ID,
		UserID:    userID,
		Scope:     scope,
		Protocol:  protocol,
		IssuedAt:  now,
		ExpiresAt: now.Add(ttl),
	}, value
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
