package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/opengenauth/genauth/internal/protocol/claims"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/protocol/cors"
)

// Config is what discovery, JWKS and logout need.
type Config struct {
	Keys *idtoken.Keys
	// Apps finds the application a logout names.
	Apps      Apps
	Sessions  *sessions.Manager
	PublicURL string
	Logger    *slog.Logger
	// ShowSignedOut renders the signed-out page; refused says a redirect was not allowed.
	ShowSignedOut func(w http.ResponseWriter, r *http.Request, status int, refused bool)
	// ShowError renders a readable error page.
	ShowError func(w http.ResponseWriter, r *http.Request, status int, title, message string)
	// RefuseJSON answers a discovery or JWKS request whose parameters are
	// not text with RFC 6749 error JSON (the oauth package's RefuseText).
	RefuseJSON edge.Refuse
	// ShowLogoutConfirm asks the signed-in user whether to sign out.
	ShowLogoutConfirm func(w http.ResponseWriter, r *http.Request, p LogoutPrompt)
	// Audit records RP-initiated logouts; nil: none.
	Audit *audit.Recorder
	// Health learns of an unavailable database; nil: none is tracked, but
	// temporary failures are still answered 503.
	Health *health.Tracker
}

// Apps finds applications.
type Apps interface {
	GetApplication(ctx context.Context, id string) (*model.Application, error)
}

// LogoutPrompt is what the sign-out confirmation page shows: the application
// asking ("" when unknown) and the form that posts the confirmation back to
// Action with Fields.
type LogoutPrompt struct {
	AppName string
	Action  string
	Fields  map[string]string
}

// Handler serves discovery, JWKS and RP-initiated logout.
type Handler struct {
	cfg  Config
	csrf *http.CrossOriginProtection
}

// New returns the OpenID Connect handler.
func New(cfg Config) (*Handler, error) {
	csrf, err := edge.SameOrigin(cfg.PublicURL, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cfg.ShowError(w, r, http.StatusForbidden, "Request refused",
			"This sign-out was sent from another site. Sign out again from the application or from your account page.")
	}))
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	return &Handler{cfg: cfg, csrf: csrf}, nil
}

// Register adds the routes under /oidc. Bad text in a parameter gets RFC
// 6749 error JSON on the documents and the readable error page on logout.
func (h *Handler) Register(routes edge.Routes) {
	docs, pages := routes.Refusing(h.cfg.RefuseJSON), routes.Refusing(h.refusePage)
	// Public documents: any page may read them (CORS, without credentials).
	for path, fn := range map[string]http.HandlerFunc{
		"/oidc/.well-known/openid-configuration": h.discovery,
		"/oidc/.well-known/jwks.json":            h.jwks,
	} {
		docs.Handle("GET "+path, cors.Public(fn))
		docs.Handle("OPTIONS "+path, cors.Public(fn))
	}
	// authing-node-sdk 4.0.2 reads the keys under the application's path.
	docs.Handle("GET /{appId}/oidc/.well-known/jwks.json", cors.Public(http.HandlerFunc(h.appJWKS)))
	docs.Handle("OPTIONS /{appId}/oidc/.well-known/jwks.json", cors.Public(http.HandlerFunc(h.appJWKS)))
	pages.HandleFunc("GET /oidc/session/end", h.endSession)
	pages.HandleFunc("POST /oidc/session/end", h.endSession)
	// Unlike logout requests, which may come from any site, the user's
	// confirmation must come from GenAuth's own page.
	pages.Handle("POST /oidc/session/end/confirm", h.csrf.Handler(http.HandlerFunc(h.confirmEndSession)))
}

func (h *Handler) refusePage(w http.ResponseWriter, r *http.Request, problem string) {
	h.cfg.ShowError(w, r, http.StatusBadRequest, "Invalid logout request", problem)
}

func (h *Handler) issuer() string { return h.cfg.PublicURL + "/oidc" }

// discovery is OpenID Connect Discovery 1.0 section 3 (and RFC 8414).
func (h *Handler) discovery(w http.ResponseWriter, r *http.Request) {
	iss := h.issuer()
	authMethods := []string{model.AuthClientSecretPost, model.AuthClientSecretBasic, model.AuthNone}
	doc := claims.Claims{
		{Name: "issuer", Value: iss},
		{Name: "authorization_endpoint", Value: iss + "/auth"},
		{Name: "token_endpoint", Value: iss + "/token"},
		{Name: "userinfo_endpoint", Value: iss + "/me"},
		{Name: "jwks_uri", Value: iss + "/.well-known/jwks.json"},
		{Name: "end_session_endpoint", Value: iss + "/session/end"},
		{Name: "introspection_endpoint", Value: iss + "/token/introspection"},
		{Name: "revocation_endpoint", Value: iss + "/token/revocation"},
		{Name: "scopes_supported", Value: []string{"openid", "profile", "email", "phone", "address", "offline_access"}},
		{Name: "response_types_supported", Value: ResponseTypes},
		{Name: "response_modes_supported", Value: []string{"query", "fragment", "form_post"}},
		{Name: "grant_types_supported", Value: []string{model.GrantAuthorizationCode, model.GrantImplicit, model.GrantRefreshToken, model.GrantClientCredentials}},
		{Name: "subject_types_supported", Value: []string{"public"}},
		{Name: "id_token_signing_alg_values_supported", Value: idtoken.Algorithms},
		{Name: "token_endpoint_auth_methods_supported", Value: authMethods},
		{Name: "introspection_endpoint_auth_methods_supported", Value: authMethods},
		{Name: "revocation_endpoint_auth_methods_supported", Value: authMethods},
		{Name: "claims_supported", Value: append(claims.Names(), "iss", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "at_hash", "c_hash", "sid")},
		{Name: "acr_values_supported", Value: idtoken.ACRValues},
		{Name: "code_challenge_methods_supported", Value: []string{"S256", "plain"}},
		// select_account is accepted but changes nothing: not advertised.
		{Name: "prompt_values_supported", Value: []string{"none", "login", "consent"}},
		{Name: "claims_parameter_supported", Value: false},
		{Name: "request_parameter_supported", Value: false},
		{Name: "request_uri_parameter_supported", Value: false},
		{Name: "authorization_response_iss_parameter_supported", Value: true},
	}
	writeCachedJSON(w, doc, "public, max-age=3600")
}

// ResponseTypes are the response types /oidc/auth accepts.
var ResponseTypes = []string{"code", "id_token", "id_token token", "code id_token", "token"}

// jwks publishes the active, next and previous keys.
func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) {
	set, err := h.cfg.Keys.JWKS(r.Context())
	if err != nil {
		h.documentError(w, r, "loading signing keys", err)
		return
	}
	// Short enough that a forced rotation's new next key is seen long
	// before it signs (it waits a whole rotation period).
	writeCachedJSON(w, set, "public, max-age=900")
}

// appJWKS is the same key set under a known application's path. An
// unknown application's, or an id no backend could hold (not UTF-8, a NUL:
// path segments pass the edge's text check unexamined), is 404 with RFC
// 6749 error JSON, like the other failures of these documents.
func (h *Handler) appJWKS(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("appId")
	err := model.ErrNotFound
	if utf8.ValidString(id) && !strings.ContainsRune(id, 0) {
		_, err = h.cfg.Apps.GetApplication(r.Context(), id)
	}
	if errors.Is(err, model.ErrNotFound) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"no application has this id"}` + "\n"))
		return
	}
	if err != nil {
		h.documentError(w, r, "looking up the application of a key set", err)
		return
	}
	h.jwks(w, r)
}

// documentError answers a discovery or key set request that failed: 503
// with Retry-After while the database is unavailable, else 500, logged.
func (h *Handler) documentError(w http.ResponseWriter, r *http.Request, what string, err error) {
	w.Header().Set("Cache-Control", "no-store")
	if h.cfg.Health.Failed(r.Context(), err) {
		w.Header().Set("Retry-After", health.RetryAfter(err))
		http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	h.cfg.Logger.ErrorContext(r.Context(), what, "err", err)
	http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
}

func writeCachedJSON(w http.ResponseWriter, v any, cache string) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", cache)
	_, _ = w.Write(append(body, '\n'))
}

// logoutRequest is what an RP-initiated logout asks for once read.
type logoutRequest struct {
	hint     *idtoken.Hint // nil without an id_token_hint
	clientID string        // from the request, else the hint's audience
	target   string        // post_logout_redirect_uri
	state    string
}

// readLogout parses a logout request, or answers it with an error page.
// A tampered id_token_hint, or one of another client, ends nothing.
func (h *Handler) readLogout(w http.ResponseWriter, r *http.Request) (*logoutRequest, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.cfg.ShowError(w, r, http.StatusBadRequest, "Invalid logout request", "The logout request could not be read.")
		return nil, false
	}
	for name, vals := range r.Form {
		if len(vals) > 1 {
			h.cfg.ShowError(w, r, http.StatusBadRequest, "Invalid logout request", "A parameter is repeated: "+url.QueryEscape(name)+".")
			return nil, false
		}
	}
	req := &logoutRequest{
		clientID: r.Form.Get("client_id"),
		target:   r.Form.Get("post_logout_redirect_uri"),
		state:    r.Form.Get("state"),
	}
	hint := r.Form.Get("id_token_hint")
	if hint == "" {
		return req, true
	}
	claims, err := h.cfg.Keys.VerifyHint(r.Context(), hint, h.issuer())
	if errors.Is(err, idtoken.ErrBadHint) {
		h.cfg.ShowError(w, r, http.StatusBadRequest, "Invalid logout request", "The id_token_hint is not a valid id token from this server, so you were not signed out.")
		return nil, false
	}
	if err != nil {
		h.serverError(w, r, "verifying id_token_hint", err)
		return nil, false
	}
	if req.clientID != "" && !slices.Contains(claims.Audience, req.clientID) {
		h.cfg.ShowError(w, r, http.StatusBadRequest, "Invalid logout request", "The client_id does not match the id_token_hint, so you were not signed out.")
		return nil, false
	}
	if req.clientID == "" {
		req.clientID = claims.Audience[0]
	}
	req.hint = claims
	return req, true
}

// endSession is OpenID Connect RP-Initiated Logout 1.0. A valid
// id_token_hint naming the signed-in user signs out at once. Without one
// anybody could have sent the request, a cross-site form or link included,
// so the user is asked first (sections 2 and 6): the confirmation page
// posts back to /oidc/session/end/confirm, from this origin only.
func (h *Handler) endSession(w http.ResponseWriter, r *http.Request) {
	req, ending, ok := h.readLogoutSession(w, r)
	if !ok {
		return
	}
	if ending != nil && (req.hint == nil || req.hint.Subject != ending.UserID) {
		h.askToSignOut(w, r, req)
		return
	}
	h.signOut(w, r, req, ending, "/oidc/session/end")
}

// confirmEndSession is the confirmation page's answer: the user chose to
// sign out.
func (h *Handler) confirmEndSession(w http.ResponseWriter, r *http.Request) {
	if req, ending, ok := h.readLogoutSession(w, r); ok {
		h.signOut(w, r, req, ending, "/oidc/session/end, confirmed")
	}
}

// readLogoutSession reads a logout request and the browser's session (nil
// when none); it answers the request itself and returns false on failure.
func (h *Handler) readLogoutSession(w http.ResponseWriter, r *http.Request) (*logoutRequest, *model.Session, bool) {
	req, ok := h.readLogout(w, r)
	if !ok {
		return req, nil, false
	}
	ending, err := h.cfg.Sessions.Current(r)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		h.serverError(w, r, "reading session", err)
		return req, nil, false
	}
	return req, ending, true
}

// askToSignOut shows the confirmation page, which carries the request on.
func (h *Handler) askToSignOut(w http.ResponseWriter, r *http.Request, req *logoutRequest) {
	prompt := LogoutPrompt{Action: "/oidc/session/end/confirm", Fields: map[string]string{}}
	for name, v := range map[string]string{"client_id": req.clientID, "post_logout_redirect_uri": req.target, "state": req.state} {
		if v != "" {
			prompt.Fields[name] = v
		}
	}
	if req.clientID != "" {
		app, err := h.cfg.Apps.GetApplication(r.Context(), req.clientID)
		switch {
		case err == nil:
			prompt.AppName = app.Name
		case !errors.Is(err, model.ErrNotFound):
			h.serverError(w, r, "looking up client", err)
			return
		}
	}
	h.cfg.ShowLogoutConfirm(w, r, prompt)
}

// signOut ends the browser's session, if any, and goes back to
// post_logout_redirect_uri only when it is on the application's logout
// callback list.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request, req *logoutRequest, ending *model.Session, how string) {
	if err := h.cfg.Sessions.End(w, r); err != nil {
		h.serverError(w, r, "ending session", err)
		return
	}
	if ending != nil && h.cfg.Audit != nil {
		h.cfg.Audit.Record(r.Context(), model.AuditEvent{Type: model.AuditSessionEnd, UserID: ending.UserID,
			ClientID: req.clientID, IP: audit.ClientIP(r), Detail: how})
	}
	if req.target == "" {
		h.cfg.ShowSignedOut(w, r, http.StatusOK, false)
		return
	}
	allowed := false
	if req.clientID != "" {
		app, err := h.cfg.Apps.GetApplication(r.Context(), req.clientID)
		switch {
		case err == nil:
			allowed = slices.Contains(app.LogoutRedirectURIs, req.target)
		case !errors.Is(err, model.ErrNotFound):
			h.serverError(w, r, "looking up client", err)
			return
		}
	}
	if !allowed {
		h.cfg.ShowSignedOut(w, r, http.StatusBadRequest, true)
		return
	}
	target := req.target
	if req.state != "" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + url.Values{"state": {req.state}}.Encode()
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
}

// serverError shows the error page: 503 with Retry-After for a temporary
// failure (logged once per outage by the tracker), else 500, logged.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	if h.cfg.Health.Failed(r.Context(), err) {
		w.Header().Set("Retry-After", health.RetryAfter(err))
		h.cfg.ShowError(w, r, http.StatusServiceUnavailable, "Service unavailable", "The service cannot answer right now. Please try again in a moment.")
		return
	}
	h.cfg.Logger.ErrorContext(r.Context(), what, "err", err)
	h.cfg.ShowError(w, r, http.StatusInternalServerError, "Something went wrong", "The server could not complete your request. Please try again in a moment.")
}
