package oauth

import (
	"context"
	"fmt"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"log/slog"
	"net/http"
	"time"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/protocol/cors"
)

// Config holds what the protocol endpoints depend on.
type Config struct {
	// Store keeps authorization codes and tokens.
	Store TokenStore
	// Apps finds the applications (clients).
	Apps Apps
	// Users reads the users tokens are issued to.
	Users Users
	// Consents keeps what each user allowed each client.
	Consents  ConsentStore
	Sessions  *sessions.Manager
	Tokens    *token.Source
	Now       func() time.Time
	PublicURL string // no trailing slash
	Logger    *slog.Logger
	// LoginPath is the hosted login page; authorize sends users there with return_to.
	LoginPath string
	// StepUpPath is the hosted page where a signed-in user proves a second
	// factor (or enrolls one) that the request needs, returning to
	// return_to with the session raised.
	StepUpPath string
	// MFAPolicy is the MFA policy of a sign-in to app (mfa.Service.Policy):
	// under "required" no code or token goes to a session without a second
	// factor. nil: no policy, only acr_values asks for one.
	MFAPolicy func(ctx context.Context, app *model.Application) (string, error)
	// ShowError renders a readable HTML error page for failures that must
	// never be redirected (unknown client, unregistered redirect URI).
	ShowError func(w http.ResponseWriter, r *http.Request, status int, title, message string)
	// ShowConsent renders the consent page.
	ShowConsent func(w http.ResponseWriter, r *http.Request, c ConsentPrompt)
	// Keys signs id tokens.
	Keys *idtoken.Keys
	// Audit records token issue, revocation and reuse; nil: none.
	Audit *audit.Recorder
	// Health learns of an unavailable database; nil: none is tracked, but
	// temporary failures are still answered 503.
	Health *health.Tracker
}

// Handler serves the protocol endpoints.
type Handler struct {
	cfg  Config
	csrf *http.CrossOriginProtection
	cors *cors.Clients
}

// New returns the protocol handler.
func New(cfg Config) (*Handler, error) {
	if cfg.LoginPath == "" {
		cfg.LoginPath = "/login"
	}
	if cfg.StepUpPath == "" {
		cfg.StepUpPath = "/login/mfa/step-up"
	}
	csrf, err := edge.SameOrigin(cfg.PublicURL, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cfg.ShowError(w, r, http.StatusForbidden, "Request refused",
			"This consent was sent from another site. Start the sign-in again from the application.")
	}))
	if err != nil {
		return nil, fmt.Errorf("oauth: %w", err)
	}
	return &Handler{cfg: cfg, csrf: csrf, cors: &cors.Clients{Apps: cfg.Apps, Logger: cfg.Logger, Health: cfg.Health}}, nil
}

// Register adds the endpoints under /oauth and /oidc. Methods are checked in
// the handlers so that a wrong one still gets RFC 6749 error JSON. Bad text
// in a parameter gets RFC 6749 invalid_request, or on the pages a browser
// shows (authorize, consent) the readable error page, never a redirect: the
// request was refused before its client or redirect URI was looked at.
func (h *Handler) Register(routes edge.Routes) {
	mux, pages := routes.Refusing(RefuseText), routes.Refusing(h.refusePage)
	for _, proto := range []string{model.ProtocolOAuth, model.ProtocolOIDC} {
		p := "/" + proto
		pages.Handle(p+"/auth", h.endpoint(proto, h.authorize))
		// Unlike authorization requests, which may come from any site, a
		// consent must come from GenAuth's own page.
		pages.Handle(p+"/auth/consent", h.csrf.Handler(h.endpoint(proto, h.consent)))
		// Single-page apps call these from their own origins (CORS).
		mux.Handle(p+"/token", h.cors.Handler(http.MethodPost, h.endpoint(proto, h.token)))
		mux.Handle(p+"/me", h.cors.Handler("GET, POST", h.endpoint(proto, h.userinfo)))
		mux.Handle(p+"/token/introspection", h.cors.Handler(http.MethodPost, h.endpoint(proto, h.introspect)))
		mux.Handle(p+"/token/revocation", h.cors.Handler(http.MethodPost, h.endpoint(proto, h.revoke)))
	}
}

// RefuseText answers a protocol request refused at the edge because a
// parameter is not text (a NUL byte, invalid UTF-8): invalid_request.
func RefuseText(w http.ResponseWriter, _ *http.Request, problem string) {
	writeError(w, invalidRequest(problem))
}

func (h *Handler) refusePage(w http.ResponseWriter, r *http.Request, problem string) {
	h.cfg.ShowError(w, r, http.StatusBadRequest, "Invalid authorization request", problem)
}

// request is what every endpoint handler gets: the protocol its path chose.
type request struct {
	*http.Request
	protocol string
}

// endpoint adapts a handler that returns a protocol error to http.Handler.
func (h *Handler) endpoint(protocol string, fn func(w http.ResponseWriter, r request) *Error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := fn(w, request{Request: r, protocol: protocol}); e != nil {
			cors.Unattributed(r.Context())
			writeError(w, e)
		}
	})
}

// issuer is `<public-url>/oauth` or `<public-url>/oidc`.
func (h *Handler) issuer(protocol string) string { return h.cfg.PublicURL + "/" + protocol }

func (h *Handler) now() time.Time { return h.cfg.Now().UTC() }

// internal logs an unexpected failure and returns the opaque server_error;
// a temporary one (the database unavailable) is temporarily_unavailable,
// logged once per outage by the tracker instead.
func (h *Handler) internal(ctx context.Context, what string, err error) *Error {
	if h.cfg.Health.Failed(ctx, err) {
		return temporarilyUnavailable(health.RetryAfter(err))
	}
	h.cfg.Logger.ErrorContext(ctx, what, "err", err)
	return serverError()
}

// record adds a security event when auditing is on.
func (h *Handler) record(r *http.Request, e model.AuditEvent) {
	if h.cfg.Audit != nil {
		e.IP = audit.ClientIP(r)
		h.cfg.Audit.Record(r.Context(), e)
	}
}

// sessionID is the public `sid` of a browser session: derived from the
// stored hash, so it reveals nothing that finds the cookie.
func sessionID(idHash string) string { return token.Hash("sid:" + idHash)[:32] }
