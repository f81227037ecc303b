package console

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/reset"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/pages/i18n"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/webasset"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Path is where the console lives.
const Path = "/console"

// Console sessions are short: an administrator's browser left open is
// signed out of the console after IdleTTL, and every TTL at the latest.
const (
	SessionCookie  = "genauth_console"
	SessionTTL     = 8 * time.Hour
	SessionIdleTTL = 30 * time.Minute
)

// MaxFormBytes bounds the body of every console form.
const MaxFormBytes = 64 << 10

// Config is what the console needs from the rest of the server.
type Config struct {
	PublicURL string
	// Hosted is the hosted pages' session manager, where administrators
	// sign in; Sessions is the console's own (SessionCookie, scoped to Path).
	Hosted   *sessions.Manager
	Sessions *sessions.Manager
	// CSRFKey keys the form tokens bound to a console session (32 bytes).
	CSRFKey []byte
	Admins  Admins
	Store   Store
	Users   *users.Service
	Apps    *apps.Service
	IdP     *idp.Service
	MFA     *mfa.Service
	Reset   *reset.Service
	Keys    *idtoken.Keys
	Audit   *audit.Recorder
	Health  *health.Tracker
	Now     func() time.Time
	Logger  *slog.Logger
	// The settings page's: Notify shows how email and SMS leave and sends
	// test messages (nil: neither is configured); Lockout is the sign-in
	// throttle the server runs (nil: throttle.DefaultPolicy).
	Notify  Notify
	Lockout *throttle.Policy
	// Delivers says which kinds of message (model.MessageEmail,
	// model.MessageSMS) a provider delivers: the users pages offer a
	// password reset code only through those.
	Delivers map[string]bool
}

// Handler serves the console.
type Handler struct {
	Config
	csrf   *http.CrossOriginProtection
	pages  map[i18n.Lang]map[string]*template.Template
	assets webasset.Set
}

// New checks cfg and parses the embedded templates once per language.
func New(cfg Config) (*Handler, error) {
	if cfg.Hosted == nil || cfg.Sessions == nil || cfg.Admins == nil || cfg.Store == nil || cfg.Users == nil ||
		cfg.Apps == nil || cfg.Audit == nil || len(cfg.CSRFKey) < 32 {
		return nil, errors.New("console: Hosted, Sessions, Admins, Store, Users, Apps, Audit and a 32-byte CSRFKey are required")
	}
	if cfg.Sessions.Cookie != SessionCookie || cfg.Sessions.Path != Path {
		return nil, fmt.Errorf("console: the session manager must use the cookie %s scoped to %s", SessionCookie, Path)
	}
	pub, err := url.Parse(cfg.PublicURL)
	if err != nil || (pub.Scheme != "http" && pub.Scheme != "https") || pub.Host == "" {
		return nil, fmt.Errorf("console: public URL %q is not an http(s) URL", cfg.PublicURL)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{Config: cfg, pages: make(map[i18n.Lang]map[string]*template.Template, len(i18n.Supported))}
	h.csrf, err = edge.SameOrigin(cfg.PublicURL, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.refuse(w, r, http.StatusForbidden, "error.csrf")
	}))
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	if h.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	tfs, err := fs.Sub(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(tfs, "*.html")
	if err != nil {
		return nil, err
	}
	for _, lang := range i18n.Supported {
		h.pages[lang] = make(map[string]*template.Template, len(names))
		for _, file := range names {
			name := file[:len(file)-len(".html")]
			if name == "layout" {
				continue
			}
			t, err := template.New(name).Funcs(funcs(lang)).ParseFS(tfs, "layout.html", file)
			if err != nil {
				return nil, fmt.Errorf("console: template %s: %w", name, err)
			}
			h.pages[lang][name] = t
		}
	}
	return h, nil
}

// Register adds the console's routes; bad text in a parameter gets the
// console's error page.
func (h *Handler) Register(routes edge.Routes) {
	mux := routes.Refusing(func(w http.ResponseWriter, r *http.Request, problem string) {
		h.refuse(w, r, http.StatusBadRequest, "error.bad_text")
	})
	mux.HandleFunc("GET "+Path+"/signin", h.signIn)
	mux.Handle("POST "+Path+"/signout", h.form(h.signOut))
	mux.HandleFunc("GET "+Path+"/signedout", h.signedOut)
	mux.HandleFunc("GET "+Path+"/bootstrap", h.bootstrapForm)
	mux.Handle("POST "+Path+"/bootstrap", h.csrf.Handler(http.HandlerFunc(h.bootstrap)))
	mux.Handle("GET "+Path+"/{$}", h.page(h.overview))
	h.registerApps(mux)
	h.registerAudit(mux)
	h.registerSettings(mux)
	h.registerIdps(mux)
	h.registerKeys(mux)
	h.registerUsers(mux)
	mux.HandleFunc("GET "+Path, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Path+"/", http.StatusMovedPermanently)
	})
	for path := range h.assets {
		mux.HandleFunc("GET "+path, h.assets.Handler(contentSecurityPolicy))
	}
}
