package cors

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/health"
)

// maxAge is how long a browser may cache a preflight answer, in seconds:
// short, so that an origin removed from an application stops working soon.
const maxAge = "600"

// Public serves a public document (discovery, JWKS): any origin may read
// it, without credentials, and a preflight is answered for GET.
func Public(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET")
			if req := allowedHeaders(r); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
			h.Set("Access-Control-Max-Age", maxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Lister is the part of the store that Clients reads.
type Lister interface {
	ListApplications(ctx context.Context) ([]*model.Application, error)
}

// Clients guards the endpoints a client calls with its own credentials.
type Clients struct {
	Apps   Lister
	Logger *slog.Logger
	// Health learns of an unavailable database, which a preflight then
	// answers with 503 and Retry-After; nil: none is tracked.
	Health *health.Tracker
}

// Handler wraps an endpoint that accepts methods (such as "GET, POST"). It
// answers preflights itself; for other requests from a browser it lets
// Allow, once the request's application is known, decide.
func (c *Clients) Handler(methods string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			c.preflight(w, r, origin, methods)
			return
		}
		d := &decision{w: w, origin: origin, clients: c}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), decisionKey{}, d)))
	})
}

// preflight allows the request when some application lists the origin and
// the method is one the endpoint accepts.
func (c *Clients) preflight(w http.ResponseWriter, r *http.Request, origin, methods string) {
	h := w.Header()
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Set("Cache-Control", "no-store")
	method := r.Header.Get("Access-Control-Request-Method")
	if !slices.Contains(strings.Split(methods, ", "), method) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	listed, err := c.anyLists(r.Context(), origin)
	if err != nil && c.Health.Failed(r.Context(), err) {
		h.Set("Retry-After", health.RetryAfter(err))
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if !listed {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", methods)
	if req := allowedHeaders(r); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Set("Access-Control-Max-Age", maxAge)
	w.WriteHeader(http.StatusNoContent)
}

// anyLists reports whether some application lists origin. A store failure
// refuses: the browser then reports a network error, and it is logged
// unless it is temporary (the tracker logs an outage once).
func (c *Clients) anyLists(ctx context.Context, origin string) (bool, error) {
	list, err := c.Apps.ListApplications(ctx)
	if err != nil {
		if !health.Temporary(err) {
			c.Logger.ErrorContext(ctx, "cors: listing applications", "err", err)
		}
		return false, err
	}
	for _, app := range list {
		if lists(app, origin) {
			return true, nil
		}
	}
	return false, nil
}

func lists(app *model.Application, origin string) bool {
	return slices.Contains(apps.WebOrigins(app), origin)
}

// allowedHeaders echoes the request headers a preflight asks for when they
// are well-formed header names: GenAuth ignores headers it does not know
// (the SDKs send x-authing-* and x-genauth-*), and credentials are never
// allowed, so naming them grants nothing.
func allowedHeaders(r *http.Request) string {
	req := r.Header.Get("Access-Control-Request-Headers")
	if len(req) > 1024 {
		return ""
	}
	var names []string
	for _, n := range strings.Split(req, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		for _, ch := range n {
			if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", ch)) {
				return ""
			}
		}
		names = append(names, n)
	}
	return strings.Join(names, ",")
}

type decisionKey struct{}

// decision is a browser request's pending CORS answer.
type decision struct {
	w       http.ResponseWriter
	origin  string
	clients *Clients
	decided bool
}

// Allow is called when the request's application is known (the
// authenticated client, or the access token's): the answer is readable
// from the origin only if that application lists it. Only the first call
// of a request counts; without a browser origin it does nothing.
func Allow(ctx context.Context, app *model.Application) {
	d, _ := ctx.Value(decisionKey{}).(*decision)
	if d == nil || d.decided {
		return
	}
	d.decided = true
	if lists(app, d.origin) {
		d.allow()
	}
}

// Unattributed is called before an error answer: when no application was
// identified (an unknown client or token), the error is readable from an
// origin some application lists, so that a single-page app sees the 401.
func Unattributed(ctx context.Context) {
	d, _ := ctx.Value(decisionKey{}).(*decision)
	if d == nil || d.decided {
		return
	}
	d.decided = true
	if listed, _ := d.clients.anyLists(ctx, d.origin); listed {
		d.allow()
	}
}

func (d *decision) allow() {
	h := d.w.Header()
	h.Set("Access-Control-Allow-Origin", d.origin)
	// Not CORS-safelisted, and a client needs it after a 401.
	h.Set("Access-Control-Expose-Headers", "WWW-Authenticate")
}
