package login

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/opengenauth/genauth"
	"github.com/opengenauth/genauth/internal/session"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/users"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets/genauth.css
var stylesheet []byte

// MaxFormBytes bounds the body of every form post.
const MaxFormBytes = 64 << 10

// cssPath is where the stylesheet is served; pages link it with a content
// hash so that a new version is never read from a stale cache.
const cssPath = "/assets/genauth.css"

// Config is what the hosted pages need from the rest of the server.
type Config struct {
	Store     store.Store
	Users     *users.Service
	Sessions  *session.Manager
	PublicURL string // e.g. "http://localhost:8080", no trailing slash
	Logger    *slog.Logger
}

// Handler serves the hosted pages.
type Handler struct {
	store    store.Store
	users    *users.Service
	sessions *session.Manager
	log      *slog.Logger
	csrf     *http.CrossOriginProtection
	pages    map[string]*template.Template
	cssHref  string
	cssETag  string
}

// pageNames are the templates rendered inside templates/layout.html.
var pageNames = []string{"login", "register", "home", "signedout", "error", "consent"}

// New checks cfg and parses the embedded templates once.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Users == nil || cfg.Sessions == nil {
		return nil, errors.New("login: Store, Users and Sessions are required")
	}
	pub, err := url.Parse(cfg.PublicURL)
	if err != nil || (pub.Scheme != "http" && pub.Scheme != "https") || pub.Host == "" {
		return nil, fmt.Errorf("login: public URL %q is not an http(s) URL", cfg.PublicURL)
	}
	// The cookie must not travel over plain HTTP when the site is served over TLS.
	if pub.Scheme == "https" && !cfg.Sessions.Secure {
		return nil, errors.New("login: the public URL is https but the session cookie is not Secure")
	}
	h := &Handler{
		store:    cfg.Store,
		users:    cfg.Users,
		sessions: cfg.Sessions,
		log:      cfg.Logger,
		csrf:     http.NewCrossOriginProtection(),
		pages:    make(map[string]*template.Template, len(pageNames)),
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	// Behind a proxy that rewrites Host, browsers still send the public origin.
	if err := h.csrf.AddTrustedOrigin(pub.Scheme + "://" + pub.Host); err != nil {
		return nil, fmt.Errorf("login: public URL: %w", err)
	}
	h.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.RenderError(w, r, http.StatusForbidden, "Request refused",
			"This form was sent from another site. Go back to the sign-in page and submit it from there.")
	}))
	sum := sha256.Sum256(stylesheet)
	h.cssETag = `"` + hex.EncodeToString(sum[:8]) + `"`
	h.cssHref = cssPath + "?v=" + hex.EncodeToString(sum[:8])
	tfs, err := fs.Sub(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	for _, name := range pageNames {
		t, err := template.New(name).ParseFS(tfs, "layout.html", name+".html")
		if err != nil {
			return nil, fmt.Errorf("login: template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	return h, nil
}

// Register adds the hosted pages' routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /login", h.loginForm)
	mux.Handle("POST /login", h.form(h.login))
	mux.HandleFunc("GET /register", h.registerForm)
	mux.Handle("POST /register", h.form(h.register))
	mux.Handle("POST /logout", h.form(h.logout))
	mux.Handle("POST /consents/revoke", h.form(h.revokeConsent))
	mux.HandleFunc("GET /login/profile/logout", h.frontChannelLogout)
	mux.HandleFunc("GET "+cssPath, h.css)
}

// form wraps a form handler: cross-origin browser posts are refused, and the
// body is limited and parsed before fn runs.
func (h *Handler) form(fn http.HandlerFunc) http.Handler {
	return h.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
		if err := r.ParseForm(); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				h.RenderError(w, r, http.StatusRequestEntityTooLarge, "Form too large",
					"The form you sent is larger than this server accepts. Go back and try again with shorter values.")
				return
			}
			h.RenderError(w, r, http.StatusBadRequest, "Unreadable form",
				"The form you sent could not be read. Go back and try again.")
			return
		}
		fn(w, r)
	}))
}

// page is the data every template gets; each page uses the fields it needs.
type page struct {
	Title   string
	CSSHref string

	Error       string            // message for the whole form
	FieldErrors map[string]string // message per input name
	AppName     string            // application the person signs in to
	ReturnTo    string
	LoginHref   string
	RegHref     string
	Username    string
	Email       string
	User        string // who is signed in, for the home page
	Refused     bool   // a logout redirect was not allowed
	Message     string
	Scopes      []string      // consent: what the application asks for
	Action      string        // consent: where the decision is posted
	Hidden      []hiddenField // consent: the authorization request, posted back
	Consents    []consentItem // home: applications the user allowed
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.CSSHref = h.cssHref
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		h.log.ErrorContext(r.Context(), "login: render page", "page", name, "err", err)
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	// Pages carry forms, session state or return URLs: never cache them.
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	// No inline script or style, so a strict policy costs nothing. form-action
	// is left out: browsers apply it to the redirect chain back to the application.
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// RenderError shows the readable HTML error page. The authorize endpoint uses
// it for errors that must never be redirected to the client.
func (h *Handler) RenderError(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	h.render(w, r, status, "error", page{Title: title, Message: message})
}

// internalError logs err and shows a page without any detail.
func (h *Handler) internalError(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.log.ErrorContext(r.Context(), "login: "+what, "path", r.URL.Path, "err", err)
	h.RenderError(w, r, http.StatusInternalServerError, "Something went wrong",
		"The server could not complete your request. Please try again in a moment.")
}

func (h *Handler) css(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Type", "text/css; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "public, max-age=86400")
	hd.Set("ETag", h.cssETag)
	if r.Header.Get("If-None-Match") == h.cssETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if r.Method != http.MethodHead {
		_, _ = w.Write(stylesheet)
	}
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	u, err := h.currentUser(r)
	if err != nil {
		h.internalError(w, r, "home: session", err)
		return
	}
	p := page{Title: "Home", LoginHref: "/login", RegHref: "/register"}
	if u != nil {
		p.User = displayName(u)
		if p.Consents, err = h.consents(r, u.ID); err != nil {
			h.internalError(w, r, "home: consents", err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "home", p)
}

// currentUser returns the signed-in user, or nil when there is none.
func (h *Handler) currentUser(r *http.Request) (*genauth.User, error) {
	s, err := h.sessions.Current(r)
	if errors.Is(err, genauth.ErrNotFound) || errors.Is(err, genauth.ErrInactive) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u, err := h.store.GetUser(r.Context(), s.UserID)
	if errors.Is(err, genauth.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

func displayName(u *genauth.User) string {
	for _, v := range []string{u.Name, u.Username, u.Email, u.Phone} {
		if v != "" {
			return v
		}
	}
	return u.ID
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.sessions.End(w, r); err != nil {
		h.internalError(w, r, "logout", err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// safeMessage is the readable part of a genauth.ErrInvalidInput error.
func safeMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), genauth.ErrInvalidInput.Error()+": ")
	if msg == "" {
		return "The input is not valid."
	}
	r, n := utf8.DecodeRuneInString(msg)
	return string(unicode.ToUpper(r)) + msg[n:] + "."
}
