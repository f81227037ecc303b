package pages

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/reset"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/webasset"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// MaxFormBytes bounds the body of every form post.
const MaxFormBytes = 64 << 10

// Config is what the hosted pages need from the rest of the server.
type Config struct {
	Store     Store
	Users     *users.Service
	Sessions  *sessions.Manager
	PublicURL string // e.g. "http://localhost:8080", no trailing slash
	Logger    *slog.Logger
	// Limiter throttles sign-in failures and registrations; nil: no limits.
	Limiter *throttle.Limiter
	// Audit records sign-ins, lockouts, registrations and sign-outs; nil: none.
	Audit *audit.Recorder
	// Health learns of an unavailable database; nil: none is tracked, but
	// temporary failures are still answered 503.
	Health *health.Tracker
	// Reset and Codes serve "Forgot password?" by a code sent by email
	// (Limiter then required); Reset nil: no password reset pages, as when
	// no email can be sent.
	Reset *reset.Service
	Codes Codes
	// Delivers says which kinds of code (model.MessageEmail,
	// model.MessageSMS) can be sent: the sign-in page offers signing in with
	// a code sent to those, and the account page changing those addresses
	// (Codes and Limiter then required); none: no sign-in with a code, and
	// the addresses shown read-only.
	Delivers map[string]bool
	// Factors asks for a second factor after the first (issue 16) and
	// manages them on the account page; nil: no MFA on the pages.
	Factors *mfa.Service
	// IdP signs users in with upstream identity providers (issue 17): a
	// button per connection the application enabled, and linked accounts
	// on the account page.
	IdP *idp.Service
}

// Handler serves the hosted pages.
type Handler struct {
	store    Store
	users    *users.Service
	sessions *sessions.Manager
	limiter  *throttle.Limiter
	audit    *audit.Recorder
	signin   *signin.Service
	reset    *reset.Service
	codes    Codes
	delivers map[string]bool
	factors  *mfa.Service
	idp      *idp.Service
	health   *health.Tracker
	log      *slog.Logger
	csrf     *http.CrossOriginProtection
	origin   string // the public URL's, which passkey ceremonies must come from
	// pages holds every page parsed once per language, with the language's
	// translation functions bound.
	pages  map[i18n.Lang]map[string]*template.Template
	assets webasset.Set
}

// pageNames are the templates rendered inside templates/layout.html.
var pageNames = []string{"login", "register", "home", "signedout", "error", "consent", "logout", "forgot", "reset", "resetdone", "codelogin", "codeverify", "account", "accountverify", "mfa", "mfaenroll", "mfacodes", "mfacode",
	"idpldap", "idplink", "idpticket", "idplinked"}

// New checks cfg and parses the embedded templates once.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Users == nil || cfg.Sessions == nil {
		return nil, errors.New("login: Store, Users and Sessions are required")
	}
	if cfg.Reset != nil && (cfg.Codes == nil || cfg.Limiter == nil) {
		return nil, errors.New("login: password reset needs Codes and Limiter")
	}
	if (cfg.Delivers[model.MessageEmail] || cfg.Delivers[model.MessageSMS]) && (cfg.Codes == nil || cfg.Limiter == nil) {
		return nil, errors.New("login: sign-in with a code needs Codes and Limiter")
	}
	if cfg.Factors != nil && cfg.Limiter == nil {
		return nil, errors.New("login: second factors need Limiter (wrong codes count toward the lockout)")
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
		limiter:  cfg.Limiter,
		audit:    cfg.Audit,
		signin: &signin.Service{Store: cfg.Store, Users: cfg.Users, Codes: cfg.Codes, Limiter: cfg.Limiter, Audit: cfg.Audit,
			Upstream: cfg.IdP},
		idp:      cfg.IdP,
		reset:    cfg.Reset,
		codes:    cfg.Codes,
		delivers: map[string]bool{model.MessageEmail: cfg.Delivers[model.MessageEmail], model.MessageSMS: cfg.Delivers[model.MessageSMS]},
		factors:  cfg.Factors,
		health:   cfg.Health,
		log:      cfg.Logger,
		pages:    make(map[i18n.Lang]map[string]*template.Template, len(i18n.Supported)),
		origin:   pub.Scheme + "://" + pub.Host,
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.csrf, err = edge.SameOrigin(cfg.PublicURL, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusForbidden, m("error.refused.title"), m("error.refused.form"), "")
	}))
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if h.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	tfs, err := fs.Sub(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	for _, lang := range i18n.Supported {
		h.pages[lang] = make(map[string]*template.Template, len(pageNames))
		for _, name := range pageNames {
			t, err := template.New(name).Funcs(funcs(lang)).ParseFS(tfs, "layout.html", name+".html")
			if err != nil {
				return nil, fmt.Errorf("login: template %s: %w", name, err)
			}
			h.pages[lang][name] = t
		}
	}
	return h, nil
}

// Register adds the hosted pages' routes: bad text in a parameter gets the
// readable error page.
func (h *Handler) Register(routes edge.Routes) {
	mux := routes.Refusing(h.RefuseText)
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /login", h.loginForm)
	mux.Handle("POST /login", h.form(h.login))
	mux.HandleFunc("GET /register", h.registerForm)
	mux.Handle("POST /register", h.form(h.register))
	if h.emailCodes() {
		mux.Handle("POST "+registerCodePath, h.form(h.sendRegisterCode))
	}
	if h.reset != nil {
		mux.HandleFunc("GET /forgot", h.forgotForm)
		mux.Handle("POST /forgot", h.form(h.forgot))
		mux.HandleFunc("GET /reset", h.resetForm)
		mux.Handle("POST /reset", h.form(h.resetPassword))
	}
	if h.codeSignIn() {
		mux.HandleFunc("GET /login/code", h.codeLoginForm)
		mux.Handle("POST /login/code", h.form(h.sendLoginCode))
		mux.HandleFunc("GET /login/code/verify", h.verifyCodeForm)
		mux.Handle("POST /login/code/verify", h.form(h.codeLogin))
	}
	mux.HandleFunc("GET "+accountPath, h.accountPage)
	mux.Handle("POST "+accountPath+"/password", h.form(h.changePassword))
	for _, k := range addressKinds {
		if h.delivers[k.kind] {
			mux.Handle("POST "+k.path(), h.form(h.sendAddressCodes(k)))
			mux.HandleFunc("GET "+k.verifyPath(), h.addressCodeForm(k))
			mux.Handle("POST "+k.verifyPath(), h.form(h.changeAddress(k)))
		}
	}
	if h.factors != nil {
		h.registerMFA(mux)
	}
	if h.passkeys() {
		h.registerPasskeys(mux)
	}
	if h.idp != nil {
		h.registerIdP(mux)
	}
	mux.Handle("POST /logout", h.form(h.logout))
	mux.Handle("POST /consents/revoke", h.form(h.revokeConsent))
	mux.HandleFunc("GET /login/profile/logout", h.frontChannelLogout)
	for path := range h.assets {
		mux.HandleFunc("GET "+path, h.assets.Handler(contentSecurityPolicy))
	}
}

// form wraps a form handler: cross-origin browser posts are refused, and the
// body is limited and parsed before fn runs.
func (h *Handler) form(fn http.HandlerFunc) http.Handler {
	return h.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
		if err := r.ParseForm(); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				h.renderError(w, r, http.StatusRequestEntityTooLarge, m("error.too_large.title"), m("error.too_large.message"), "")
				return
			}
			h.renderError(w, r, http.StatusBadRequest, m("error.unreadable.title"), m("error.unreadable.message"), "")
			return
		}
		fn(w, r)
	}))
}

// page is the data every template gets; each page uses the fields it needs.
// Text reaches templates as translation keys (msg), never as sentences.
type page struct {
	Title    *msg
	Lang     i18n.Lang
	Langs    []langLink
	CSSHref  string
	IconHref string

	Error     *msg    // message for the whole form
	Fields    []field // the form's visible inputs, in order
	AppName   string  // application the person signs in to
	ReturnTo  string
	LoginHref string
	RegHref   string
	// ForgotURL is the sign-in page's "Forgot password?" link; "": none.
	ForgotURL string
	// CodeURL is the sign-in page's "Sign in with a code" link; "": none.
	CodeURL  string
	User     string // who is signed in, for the home and consent pages
	Refused  bool   // a logout redirect was not allowed
	Message  *msg
	Detail   string        // error page: an untranslated English detail
	Scopes   []*msg        // consent: what the application asks for
	Action   string        // consent, logout: where the decision is posted
	Hidden   []hiddenField // consent, logout: the request, posted back
	Consents []consentItem // home: applications the user allowed
	// Addresses are the account page's email and phone; Change is the
	// code page of a change of one.
	Addresses []addressView
	Change    *addressView

	// MFA is the account page's second factors; Second the challenge's
	// TOTP input; Secret a TOTP secret being enrolled, as text; Codes new
	// recovery codes, shown once.
	MFA    *mfaView
	Second []field
	Sends  []factorSend
	Secret string
	Codes  []string

	// SendsCode: the form has a "Send code" button besides its own.
	SendsCode bool
	// Submit is the catalog key of the form's button where a page has
	// several; Again is where "send a new code" posts the Hidden fields.
	Submit, Again string

	// IdPs are the sign-in page's upstream providers; Identities the
	// account page's linked accounts (nil: no upstream providers).
	IdPs       []idpLink
	Identities *identitiesView

	// Passkey is the page's passkey button and form; nil: none. JSHref is
	// then the script that runs it.
	Passkey *passkeyForm
	JSHref  string

	// switchBase is where the language links point (with lang added); ""
	// means this page again for a GET, else the home page.
	switchBase string
}

// langLink is one entry of the language switch.
type langLink struct {
	Tag     i18n.Lang
	Name    string
	Href    string
	Current bool
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	lang, source := i18n.Choose(r)
	p.Lang = lang
	p.Langs = languageLinks(r, p.switchBase, lang)
	p.CSSHref = h.assets[cssPath].Href
	p.IconHref = h.assets[iconPath].Href
	if p.Passkey != nil {
		p.JSHref = h.assets[jsPath].Href
	}
	var buf bytes.Buffer
	if err := h.pages[lang][name].ExecuteTemplate(&buf, "layout", p); err != nil {
		h.log.ErrorContext(r.Context(), "login: render page", "page", name, "err", err)
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	if source == i18n.FromQuery {
		i18n.SetCookie(w, lang, h.sessions.Secure)
	}
	edge.WriteHTML(w, r, status, string(lang), contentSecurityPolicy, buf.Bytes())
}

// contentSecurityPolicy allows nothing but this server's stylesheet, images
// and passkey script, which may call back only here: no inline script or
// style, no eval, no framing. form-action is left out: browsers apply it to
// the redirect chain back to the application.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"

// languageLinks builds the language switch: base (or the current page for a
// GET) with lang set, so that it works without JavaScript.
func languageLinks(r *http.Request, base string, cur i18n.Lang) []langLink {
	if base == "" {
		base = "/"
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			base = r.URL.EscapedPath()
			if r.URL.RawQuery != "" {
				base += "?" + r.URL.RawQuery
			}
		}
	}
	u, err := url.Parse(safeReturnTo(base))
	if err != nil {
		u = &url.URL{Path: "/"}
	}
	q := u.Query()
	links := make([]langLink, 0, len(i18n.Supported))
	for _, l := range i18n.Supported {
		q.Set(i18n.QueryParam, string(l))
		u.RawQuery = q.Encode()
		links = append(links, langLink{Tag: l, Name: l.Name(), Href: u.String(), Current: l == cur})
	}
	return links
}

// RenderError shows the readable HTML error page. The authorize endpoint uses
// it for errors that must never be redirected to the client.
//
// Other packages pass English text. Text that the catalog knows (an "error."
// message whose English is exactly this) is shown translated; other text is
// shown as is in English, and under a translated generic message otherwise.
func (h *Handler) RenderError(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	lang, _ := i18n.Choose(r)
	t, known := fromEnglish(title)
	if !known {
		t = &msg{Raw: title}
		if lang != i18n.English {
			t = m("error.generic.title")
		}
	}
	body, known := fromEnglish(message)
	detail := ""
	if !known {
		body = &msg{Raw: message}
		if lang != i18n.English {
			body, detail = m("error.generic.message"), message
		}
	}
	h.renderError(w, r, status, t, body, detail)
}

// RefuseText shows the error page for a request refused at the edge because
// a parameter is not text (a NUL byte, invalid UTF-8). The language links
// lead home: this page's own parameters would be refused again.
func (h *Handler) RefuseText(w http.ResponseWriter, r *http.Request, problem string) {
	h.render(w, r, http.StatusBadRequest, "error", page{Title: m("error.bad_text.title"),
		Message: m("error.bad_text.message"), Detail: problem, switchBase: "/"})
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, status int, title, message *msg, detail string) {
	h.render(w, r, status, "error", page{Title: title, Message: message, Detail: detail})
}

// internalError logs err and shows a page without any detail. A temporary
// failure (the database unavailable, password hashing at its limit) is
// answered 503 with Retry-After instead, and not logged: the database's
// state changes are logged once, by h.health.
func (h *Handler) internalError(w http.ResponseWriter, r *http.Request, what string, err error) {
	if h.health.Failed(r.Context(), err) {
		w.Header().Set("Retry-After", health.RetryAfter(err))
		message := m("error.unavailable.message")
		if errors.Is(err, model.ErrBusy) {
			message = m("error.busy.message")
		}
		h.renderError(w, r, http.StatusServiceUnavailable, m("error.unavailable.title"), message, "")
		return
	}
	h.log.ErrorContext(r.Context(), "login: "+what, "path", r.URL.Path, "err", err)
	h.renderError(w, r, http.StatusInternalServerError, m("error.internal.title"), m("error.internal.message"), "")
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	u, err := h.currentUser(r)
	if err != nil {
		h.internalError(w, r, "home: session", err)
		return
	}
	p := page{Title: m("home.title"), LoginHref: "/login", RegHref: "/register", switchBase: "/"}
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
func (h *Handler) currentUser(r *http.Request) (*model.User, error) {
	s, err := h.sessions.Current(r)
	if errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrInactive) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u, err := h.store.GetUser(r.Context(), s.UserID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

func displayName(u *model.User) string {
	for _, v := range []string{u.Name, u.Username, u.Email, u.Phone} {
		if v != "" {
			return v
		}
	}
	return u.ID
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.endSession(w, r, "sign-out button"); err != nil {
		h.internalError(w, r, "logout", err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
