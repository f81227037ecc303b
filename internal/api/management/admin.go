package management

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/reset"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store"
)

// Config is what the management API needs.
type Config struct {
	Store Store
	Users *users.Service
	Apps  *apps.Service
	// MFA lists and resets users' second factors and holds the pool's MFA policy.
	MFA    *mfa.Service
	Sealer *secret.Sealer
	Tokens *token.Source
	Now    func() time.Time
	Logger *slog.Logger
	// Audit records kick-users (backend logout), reset-user-mfa,
	// update-user's verification flags and the changes of upstream
	// identity providers; nil: none.
	Audit *audit.Recorder
	// Health learns of an unavailable database; nil: none is tracked, but
	// temporary failures are still answered with statusCode 503.
	Health *health.Tracker
	// Reset sends password reset codes to the kinds of address Delivers
	// says can be sent to (model.MessageEmail, model.MessageSMS); nil: none.
	Reset    *reset.Service
	Delivers map[string]bool
	// IdP manages upstream identity providers and users' linked identities.
	IdP *idp.Service
}

// Handler serves the management API.
type Handler struct {
	cfg    Config
	wr     envelope.Writer
	keys   *Keys
	routes []route
}

// route is one endpoint: its method, its name under envelope.Prefix and its work.
type route struct {
	method, name string
	public       bool // served without credentials
	fn           func(*request) (any, *envelope.Error)
}

// request is an authenticated call: the HTTP request, its body and its
// parameters (the query for GET, the JSON body otherwise).
type request struct {
	*http.Request
	h      *Handler
	query  envelope.Query
	params envelope.Object
}

// New returns the management API handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Users == nil || cfg.Apps == nil || cfg.MFA == nil || cfg.Sealer == nil || cfg.Tokens == nil || cfg.IdP == nil {
		return nil, errors.New("admin: Store, Users, Apps, MFA, Sealer, Tokens and IdP are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{cfg: cfg, wr: envelope.Writer{IDs: cfg.Tokens, Logger: cfg.Logger, Name: "admin", Health: cfg.Health}, keys: &Keys{Store: cfg.Store, Sealer: cfg.Sealer, Tokens: cfg.Tokens, Now: cfg.Now}}
	h.routes = []route{
		{http.MethodPost, "get-management-token", true, h.getManagementToken},
		{http.MethodPost, "create-user", false, h.createUser},
		{http.MethodPost, "create-users-batch", false, h.createUsersBatch},
		{http.MethodGet, "get-user", false, h.getUser},
		{http.MethodGet, "get-user-batch", false, h.getUserBatch},
		{http.MethodPost, "list-users", false, h.listUsersPost},
		{http.MethodGet, "list-users", false, h.listUsersGet},
		{http.MethodPost, "update-user", false, h.updateUser},
		{http.MethodPost, "delete-users-batch", false, h.deleteUsersBatch},
		{http.MethodPost, "is-user-exists", false, h.isUserExists},
		{http.MethodPost, "kick-users", false, h.kickUsers},
		{http.MethodPost, "send-reset-password-code", false, h.sendResetPasswordCode},
		{http.MethodGet, "get-user-login-history", false, h.getUserLoginHistory},
		{http.MethodGet, "get-user-loggedin-apps", false, h.getUserLoggedInApps},
		{http.MethodPost, "check-session-status", false, h.checkSessionStatus},
		{http.MethodPost, "create-application", false, h.createApplication},
		{http.MethodGet, "list-applications", false, h.listApplications},
		{http.MethodGet, "get-application", false, h.getApplication},
		{http.MethodPost, "update-application", false, h.updateApplication},
		{http.MethodPost, "delete-application", false, h.deleteApplication},
		{http.MethodGet, "get-application-secret", false, h.getApplicationSecret},
		{http.MethodPost, "refresh-application-secret", false, h.refreshApplicationSecret},
		{http.MethodPost, "list-application-active-users", false, h.listApplicationActiveUsers},
		{http.MethodGet, "get-user-mfa-info", false, h.getUserMFAInfo},
		{http.MethodPost, "reset-user-mfa", false, h.resetUserMFA},
		{http.MethodGet, "get-global-mfa-settings", false, h.getGlobalMFASettings},
		{http.MethodPost, "update-global-mfa-settings", false, h.updateGlobalMFASettings},
		{http.MethodPost, "disable-global-mfa-settings", false, h.disableGlobalMFASettings},
		{http.MethodPost, "update-application-mfa-settings", false, h.updateApplicationMFASettings},
		{http.MethodGet, "list-ext-idp", false, h.listExtIdp},
		{http.MethodGet, "get-ext-idp", false, h.getExtIdp},
		{http.MethodPost, "create-ext-idp", false, h.createExtIdp},
		{http.MethodPost, "update-ext-idp", false, h.updateExtIdp},
		{http.MethodPost, "delete-ext-idp", false, h.deleteExtIdp},
		{http.MethodPost, "create-ext-idp-conn", false, h.createExtIdpConn},
		{http.MethodPost, "update-ext-idp-conn", false, h.updateExtIdpConn},
		{http.MethodPost, "delete-ext-idp-conn", false, h.deleteExtIdpConn},
		{http.MethodPost, "change-ext-idp-conn-state", false, h.changeExtIdpConnState},
		{http.MethodGet, "get-user-identities", false, h.getUserIdentities},
		{http.MethodPost, "unlink-identity", false, h.unlinkIdentity},
	}
	return h, nil
}

// Keys returns the access key manager the handler checks credentials with.
func (h *Handler) Keys() *Keys { return h.keys }

// Register adds the management API's routes to the /api/v3 mux: every
// endpoint, the SDK's calls it does not serve (501 with why) and the
// OpenAPI description.
func (h *Handler) Register(mux *envelope.Mux) {
	for _, rt := range h.routes {
		mux.Handle(rt.method, rt.name, h.endpoint(rt))
	}
	for _, u := range unsupported {
		mux.Handle(u.method, u.name, h.notServed(u.why))
	}
	mux.Handle(http.MethodGet, "openapi.json", http.HandlerFunc(serveOpenAPI))
}

func (h *Handler) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, e := h.serve(r, rt)
		h.wr.Write(w, data, e)
	})
}

func (h *Handler) serve(r *http.Request, rt route) (any, *envelope.Error) {
	body, e := envelope.ReadBody(r)
	if e != nil {
		return nil, e
	}
	if !rt.public {
		if e := h.authenticate(r, body); e != nil {
			return nil, e
		}
	}
	// Checked after a signature's nonce is used up, so that a request read
	// on its way cannot be sent again over https.
	if !edge.HTTPS(r) && !edge.Loopback(r) {
		return nil, &envelope.Error{Status: http.StatusForbidden, Message: "management credentials are accepted only over https " +
			"(or from this host): this request came over plain HTTP, where anyone on the way can read or change it"}
	}
	req := &request{Request: r, h: h, query: envelope.Query{Values: r.URL.Query()}}
	if r.Method != http.MethodGet {
		if req.params, e = envelope.ParseObject(body); e != nil {
			return nil, e
		}
	}
	return rt.fn(req)
}

// API codes of business errors.
const (
	codeUserNotFound = 2004
	codeAppNotFound  = 2011
)

// fail maps a service error to the envelope; notFound is the apiCode of
// model.ErrNotFound here (an unknown user or application).
func (r *request) fail(what string, err error, notFound int) *envelope.Error {
	var entry *store.EntryError
	prefix := ""
	if errors.As(err, &entry) {
		prefix = fmt.Sprintf("entry %d: ", entry.Index)
	}
	switch {
	case errors.Is(err, users.ErrUnknownApplication):
		return &envelope.Error{Status: http.StatusNotFound, APICode: codeAppNotFound, Message: prefix + err.Error()}
	case errors.Is(err, model.ErrNotFound):
		msg := "user not found"
		if notFound == codeAppNotFound {
			msg = "application not found"
		}
		return &envelope.Error{Status: http.StatusNotFound, APICode: notFound, Message: prefix + msg}
	case errors.Is(err, model.ErrConflict):
		return &envelope.Error{Status: http.StatusConflict, Message: prefix + err.Error()}
	case errors.Is(err, model.ErrInvalidInput):
		return &envelope.Error{Status: http.StatusBadRequest, Message: prefix + err.Error()}
	}
	return r.h.wr.Internal(r.Request, what, err)
}

func (h *Handler) now() time.Time { return h.cfg.Now().UTC() }

func (r *request) ctx() context.Context { return r.Context() }

// success is the data of calls that only say they worked.
type success struct {
	Success bool `json:"success"`
}
