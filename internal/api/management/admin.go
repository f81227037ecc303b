package management

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store"
)

// Prefix is where the management API lives.
const Prefix = "/api/v3/"

// MaxBodyBytes bounds a request body (a batch of users included).
const MaxBodyBytes = 1 << 20

// Config is what the management API needs.
type Config struct {
	Store  Store
	Users  *users.Service
	Apps   *apps.Service
	Sealer *secret.Sealer
	Tokens *token.Source
	Now    func() time.Time
	Logger *slog.Logger
	// Audit records kick-users (backend logout); nil: none.
	Audit *audit.Recorder
	// Health learns of an unavailable database; nil: none is tracked, but
	// temporary failures are still answered with statusCode 503.
	Health *health.Tracker
}

// Handler serves the management API.
type Handler struct {
	cfg    Config
	keys   *Keys
	routes []route
}

// route is one endpoint: its method, its name under Prefix and its work.
type route struct {
	method, name string
	public       bool // served without credentials
	fn           func(*request) (any, *apiError)
}

// request is an authenticated call: the HTTP request, its body and its
// parameters (the query for GET, the JSON body otherwise).
type request struct {
	*http.Request
	h      *Handler
	query  query
	params object
}

// New returns the management API handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Users == nil || cfg.Apps == nil || cfg.Sealer == nil || cfg.Tokens == nil {
		return nil, errors.New("admin: Store, Users, Apps, Sealer and Tokens are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{cfg: cfg, keys: &Keys{Store: cfg.Store, Sealer: cfg.Sealer, Tokens: cfg.Tokens, Now: cfg.Now}}
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
	}
	return h, nil
}

// Keys returns the access key manager the handler checks credentials with.
func (h *Handler) Keys() *Keys { return h.keys }

// Register adds the management API's routes: every endpoint, the OpenAPI
// description, and an envelope answer for unknown paths. Bad text in a
// parameter (a NUL byte, invalid UTF-8) gets the envelope with 400.
func (h *Handler) Register(routes edge.Routes) {
	mux := routes.Refusing(h.refuseText)
	for _, rt := range h.routes {
		mux.Handle(rt.method+" "+Prefix+rt.name, h.endpoint(rt))
	}
	mux.HandleFunc("GET "+Prefix+"openapi.json", serveOpenAPI)
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		status, msg := http.StatusNotFound, "no such endpoint: "+r.URL.Path
		for _, rt := range h.routes {
			if Prefix+rt.name == r.URL.Path {
				status, msg = http.StatusMethodNotAllowed, r.Method+" is not allowed here (use "+rt.method+")"
			}
		}
		h.write(w, nil, &apiError{Status: status, Message: msg})
	})
}

func (h *Handler) refuseText(w http.ResponseWriter, _ *http.Request, problem string) {
	h.write(w, nil, badRequest("%s", problem))
}

func (h *Handler) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, e := h.serve(r, rt)
		h.write(w, data, e)
	})
}

func (h *Handler) serve(r *http.Request, rt route) (any, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		return nil, &apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf("the request body is unreadable or larger than %d bytes", MaxBodyBytes)}
	}
	if !rt.public {
		if e := h.authenticate(r, body); e != nil {
			return nil, e
		}
	}
	// Checked after a signature's nonce is used up, so that a request read
	// on its way cannot be sent again over https.
	if !edge.HTTPS(r) && !edge.Loopback(r) {
		return nil, &apiError{Status: http.StatusForbidden, Message: "management credentials are accepted only over https " +
			"(or from this host): this request came over plain HTTP, where anyone on the way can read or change it"}
	}
	req := &request{Request: r, h: h, query: query{r.URL.Query()}}
	if r.Method != http.MethodGet {
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}")
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
			return nil, badRequest("the body must be a JSON object: %s", jsonProblem(err))
		}
		if key := repeatedKey(body); key != "" {
			return nil, badRequest("the body gives the key %s more than once", key)
		}
		req.params = object{fields: fields}
	}
	return rt.fn(req)
}

// repeatedKey returns a key that some object of the valid JSON document
// body holds twice, or "". Parsers disagree about which one counts (Go's
// takes the last, others the first, a signature may see either).
func repeatedKey(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		keys   map[string]bool
		object bool
		expect bool // the next token of an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expect {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			key := tok.(string)
			if top.keys[key] {
				return strconv.Quote(key)
			}
			top.keys[key] = true
			top.expect = false
			continue
		}
		if top != nil && top.object {
			top.expect = true // this token is a value; a key follows
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, object: true, expect: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

// jsonProblem describes a JSON syntax error without echoing the input.
func jsonProblem(err error) string {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	}
	if err == nil {
		return "null is not an object"
	}
	return "not a JSON object"
}

// apiError is a failure as the envelope reports it.
type apiError struct {
	Status  int
	APICode int
	Message string
	// RetryAfter, when set, is sent as the Retry-After header (seconds).
	RetryAfter string
}

func (e *apiError) Error() string { return e.Message }

func badRequest(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// API codes of business errors.
const (
	codeUserNotFound = 2004
	codeAppNotFound  = 2011
)

// envelope is every response body (always HTTP 200).
type envelope struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
	APICode    int    `json:"apiCode,omitempty"`
	RequestID  string `json:"requestId"`
	Data       any    `json:"data,omitempty"`
}

func (h *Handler) write(w http.ResponseWriter, data any, e *apiError) {
	env := envelope{StatusCode: http.StatusOK, RequestID: h.cfg.Tokens.ID(), Data: data}
	if e != nil {
		env = envelope{StatusCode: e.Status, Message: e.Message, APICode: e.APICode, RequestID: env.RequestID}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(env); err != nil {
		h.cfg.Logger.Error("admin: encoding a response", "err", err)
		b.Reset()
		fmt.Fprintf(&b, `{"statusCode":500,"message":"internal error","requestId":%q}`+"\n", env.RequestID)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if e != nil && e.RetryAfter != "" {
		w.Header().Set("Retry-After", e.RetryAfter)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// internal logs an unexpected failure and returns an opaque 500; a
// temporary one (the database unavailable, password hashing at its limit)
// is a 503 with Retry-After, not logged (the tracker logs each outage once).
func (h *Handler) internal(r *http.Request, what string, err error) *apiError {
	if h.cfg.Health.Failed(r.Context(), err) {
		after := health.RetryAfter(err)
		return &apiError{Status: http.StatusServiceUnavailable, RetryAfter: after,
			Message: "temporarily unavailable; retry after " + after + " s"}
	}
	h.cfg.Logger.ErrorContext(r.Context(), "admin: "+what, "err", err)
	return &apiError{Status: http.StatusInternalServerError, Message: "internal error"}
}

// fail maps a service error to the envelope; notFound is the apiCode of
// model.ErrNotFound here (an unknown user or application).
func (r *request) fail(what string, err error, notFound int) *apiError {
	var entry *store.EntryError
	prefix := ""
	if errors.As(err, &entry) {
		prefix = fmt.Sprintf("entry %d: ", entry.Index)
	}
	switch {
	case errors.Is(err, users.ErrUnknownApplication):
		return &apiError{Status: http.StatusNotFound, APICode: codeAppNotFound, Message: prefix + err.Error()}
	case errors.Is(err, model.ErrNotFound):
		msg := "user not found"
		if notFound == codeAppNotFound {
			msg = "application not found"
		}
		return &apiError{Status: http.StatusNotFound, APICode: notFound, Message: prefix + msg}
	case errors.Is(err, model.ErrConflict):
		return &apiError{Status: http.StatusConflict, Message: prefix + err.Error()}
	case errors.Is(err, model.ErrInvalidInput):
		return &apiError{Status: http.StatusBadRequest, Message: prefix + err.Error()}
	}
	return r.h.internal(r.Request, what, err)
}

func (h *Handler) now() time.Time { return h.cfg.Now().UTC() }

func (r *request) ctx() context.Context { return r.Context() }

// success is the data of calls that only say they worked.
type success struct {
	Success bool `json:"success"`
}
