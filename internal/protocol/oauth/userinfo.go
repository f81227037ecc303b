package oauth

import (
	"errors"
	"github.com/opengenauth/genauth/internal/protocol/claims"
	"net/http"
	"strings"

	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/protocol/cors"
)

// userinfo serves GET and POST /P/me. The access token may come in the
// Authorization header, the query or the form body (RFC 6750), once. The
// header may also hold the bare token with no scheme: GenAuth's Node SDK
// sends it so after setAccessToken (contract 5.4).
func (h *Handler) userinfo(w http.ResponseWriter, r request) *Error {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return methodNotAllowed("GET, POST")
	}
	q, e := parseQuery(r.Request)
	if e != nil {
		return e
	}
	var found []string
	if auth := strings.TrimSpace(r.Header.Get("Authorization")); auth != "" {
		scheme, value, hasScheme := strings.Cut(auth, " ")
		if !hasScheme {
			scheme, value = "Bearer", auth
		}
		if !strings.EqualFold(scheme, "Bearer") {
			return noToken("the Authorization header must be Bearer <token>")
		}
		if strings.TrimSpace(value) == "" {
			return invalidToken("the Authorization header must be Bearer <token>")
		}
		found = append(found, strings.TrimSpace(value))
	}
	if v, ok := q["access_token"]; ok {
		found = append(found, v)
	}
	if r.Method == http.MethodPost {
		f, e := parseBody(w, r.Request)
		if e != nil {
			return e
		}
		if v, ok := f["access_token"]; ok {
			found = append(found, v)
		}
	}
	switch {
	case len(found) == 0:
		return noToken("an access token is required")
	case len(found) > 1:
		return invalidRequest("send the access token in one place only")
	}
	ctx := r.Context()
	now := h.now()
	t, u, err := h.cfg.Store.GetTokenWithUser(ctx, token.Hash(found[0]))
	if errors.Is(err, model.ErrNotFound) {
		return invalidToken("the access token is invalid")
	}
	if err != nil {
		return h.internal(ctx, "looking up access token", err)
	}
	app, err := h.cfg.Apps.GetApplication(ctx, t.ClientID)
	if errors.Is(err, model.ErrNotFound) {
		return invalidToken("the access token's application no longer exists")
	}
	if err != nil {
		return h.internal(ctx, "looking up the token's client", err)
	}
	// The answer is the token's application's: readable from its web origins only.
	cors.Allow(ctx, app)
	if t.Kind != model.TokenAccess || !t.Active(now) {
		return invalidToken("the access token is invalid, expired or revoked")
	}
	if t.UserID == "" {
		return invalidToken("the access token belongs to a client, not a user")
	}
	if u == nil {
		return invalidToken("the access token's user no longer exists")
	}
	if !users.Active(u) {
		return invalidToken("the access token's user is suspended")
	}
	// /oauth and plain OAuth grants keep GenAuth's shapes; an OpenID
	// Connect grant under /oidc gets its application's format.
	format := model.ClaimsGenAuth
	if r.protocol == model.ProtocolOIDC && claims.IsOIDC(t.Protocol, t.Scope) {
		format = app.ClaimsFormat
	}
	if e := h.noteUse(ctx, app, t, now); e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, claims.Userinfo(u, t.Protocol, t.Scope, format))
	return nil
}
