package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/protocol/claims"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"github.com/opengenauth/genauth/internal/wire"
)

// ErrClient is a failed client authentication; the message says why.
var ErrClient = errors.New("invalid client")

// AuthenticateClient authenticates the client of a request that another
// surface serves (the authentication API's signin) exactly as the token
// endpoint does: clientID and clientSecret are what the request's body
// carries (hasSecret: it carries a secret at all), the Basic header is read
// from r. Failures wrap ErrClient.
func (h *Handler) AuthenticateClient(r *http.Request, clientID, clientSecret string, hasSecret bool) (*model.Application, error) {
	p := params{}
	if clientID != "" {
		p["client_id"] = clientID
	}
	if hasSecret {
		p["client_secret"] = clientSecret
	}
	app, e := h.checkClient(r, p, func(a *model.Application) string { return a.TokenAuthMethod })
	if e != nil {
		if e.Status == http.StatusUnauthorized || e.Status == http.StatusBadRequest {
			return nil, fmt.Errorf("%w: %s", ErrClient, e.Description)
		}
		return nil, e
	}
	return app, nil
}

// IssueSignIn mints the tokens of a password sign-in that another surface
// checked (the authentication API's signin), through the code the token
// endpoint uses: an access token in the application's format, a refresh
// token with offline_access when the application allows refresh, an id
// token when scope holds openid, saying how the user signed in (amr). The
// grant is recorded in the audit trail.
func (h *Handler) IssueSignIn(r *http.Request, app *model.Application, u *model.User, scope string, authTime time.Time, amr []string) (*wire.TokenResponse, error) {
	now := h.now()
	grantID := h.cfg.Tokens.JTI()
	acr := idtoken.ACR(amr, nil)
	access, accessValue, e := h.mintAccess(r.Context(), app, u.ID, scope, model.ProtocolOIDC, grantID, now)
	if e != nil {
		return nil, e
	}
	tokens := []*model.Token{access}
	var refreshValue string
	if issueRefresh(app, model.ProtocolOIDC, scope) {
		var refresh *model.Token
		refresh, refreshValue = h.mint(model.TokenRefresh, app, u.ID, scope, model.ProtocolOIDC, grantID, now)
		refresh.ACR = acr
		access.ParentID = refresh.ID
		tokens = append(tokens, refresh)
	}
	resp := issued(access, accessValue, refreshValue)
	if claims.IsOIDC(model.ProtocolOIDC, scope) {
		resp.IDToken, e = h.signIDToken(request{Request: r}, app, u, scope, idtoken.Token{AuthTime: authTime, AMR: amr, ACR: acr, AccessToken: accessValue})
		if e != nil {
			return nil, e
		}
	}
	if err := h.cfg.Store.CreateTokens(r.Context(), tokens...); err != nil {
		return nil, err
	}
	h.record(r, model.AuditEvent{Type: model.AuditTokenIssue, UserID: u.ID, ClientID: app.ID, Detail: "signin"})
	return &resp.TokenResponse, nil
}
