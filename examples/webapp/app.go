package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/opengenauth/genauth/authentication"
)

// Cookie names. The login cookie lives only between /login and /callback.
const (
	loginCookie   = "webapp_login"
	sessionCookie = "webapp_session"
	loginTTL      = 10 * time.Minute // as long as an authorization code lives
	maxPending    = 10_000           // logins in progress kept in memory
)

// Config is what the web application needs.
type Config struct {
	// PublicURL is where browsers reach this app, such as http://localhost:3000.
	// Its /callback must be a login callback of the GenAuth application and
	// its / a logout callback.
	PublicURL string
	// SDK is the GenAuth client; its RedirectURI must be PublicURL + "/callback".
	SDK *authentication.Client
	// HTTPClient calls the protected API; nil means http.DefaultClient.
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// App is the example web application: sign-in with GenAuth (authorization
// code + PKCE), a profile page, a protected API and sign-out.
type App struct {
	cfg     Config
	handler http.Handler
	secure  bool // cookies are Secure when PublicURL is https

	mu      sync.Mutex
	pending map[string]pendingLogin // by state
	users   map[string]*session     // by session id
}

type pendingLogin struct {
	verifier string
	nonce    string // OIDC only: the id token must carry it
	expires  time.Time
}

// session is a signed-in user. Tokens stay on the server; the browser holds
// only a random session id.
type session struct {
	tokens *authentication.TokenSet
	user   *authentication.UserInfo
}

// NewApp returns the application's handler.
func NewApp(cfg Config) (*App, error) {
	if cfg.SDK == nil || cfg.PublicURL == "" {
		return nil, errors.New("webapp: Config.SDK and Config.PublicURL are required")
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &App{
		cfg:     cfg,
		secure:  strings.HasPrefix(cfg.PublicURL, "https://"),
		pending: map[string]pendingLogin{},
		users:   map[string]*session{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /login", a.login)
	mux.HandleFunc("GET /callback", a.callback)
	mux.HandleFunc("GET /profile", a.profile)
	mux.HandleFunc("GET /protected", a.protected)
	mux.HandleFunc("POST /logout", a.logout)
	// The API accepts only active GenAuth access tokens.
	mux.Handle("GET /api/hello", cfg.SDK.RequireToken(http.HandlerFunc(hello)))
	// Cross-origin POSTs (CSRF on /logout) are refused.
	a.handler = http.NewCrossOriginProtection().Handler(mux)
	return a, nil
}

// ServeHTTP serves the app.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	render(w, http.StatusOK, homePage, map[string]any{"SignedIn": a.current(r) != nil})
}

// login starts the authorization code flow with PKCE: the verifier stays
// here, keyed by the state, which the browser carries in a cookie.
func (a *App) login(w http.ResponseWriter, r *http.Request) {
	state, err := authentication.GenerateState()
	if err != nil {
		a.fail(w, "generating state", err)
		return
	}
	verifier, err := authentication.GenerateCodeVerifier()
	if err != nil {
		a.fail(w, "generating code verifier", err)
		return
	}
	challenge, err := authentication.CodeChallenge(verifier, authentication.ChallengeS256)
	if err != nil {
		a.fail(w, "deriving code challenge", err)
		return
	}
	var nonce string
	if a.oidc() {
		if nonce, err = authentication.GenerateNonce(); err != nil {
			a.fail(w, "generating nonce", err)
			return
		}
	}
	authURL, err := a.cfg.SDK.BuildAuthorizeURL(authentication.AuthorizeParams{
		State:               state,
		Nonce:               nonce,
		CodeChallenge:       challenge,
		CodeChallengeMethod: authentication.ChallengeS256,
	})
	if err != nil {
		a.fail(w, "building authorize URL", err)
		return
	}
	now := time.Now()
	a.mu.Lock()
	for s, p := range a.pending { // drop abandoned logins
		if now.After(p.expires) {
			delete(a.pending, s)
		}
	}
	full := len(a.pending) >= maxPending
	if !full {
		a.pending[state] = pendingLogin{verifier: verifier, nonce: nonce, expires: now.Add(loginTTL)}
	}
	a.mu.Unlock()
	if full {
		render(w, http.StatusServiceUnavailable, errorPage, "Too many sign-ins in progress. Please try again in a few minutes.")
		return
	}
	http.SetCookie(w, a.cookie(loginCookie, state, int(loginTTL/time.Second)))
	http.Redirect(w, r, authURL, http.StatusFound)
}

// callback finishes the flow: check the state, redeem the code with the
// verifier, with OIDC verify the id token (signature, issuer, audience,
// expiry, this login's nonce, the access token's hash), read the profile,
// start a session.
func (a *App) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || q.Get("state") != c.Value {
		render(w, http.StatusBadRequest, errorPage, "The sign-in could not be matched to this browser. Please sign in again.")
		return
	}
	http.SetCookie(w, a.cookie(loginCookie, "", -1))
	a.mu.Lock()
	p, ok := a.pending[c.Value]
	delete(a.pending, c.Value)
	a.mu.Unlock()
	if !ok || time.Now().After(p.expires) {
		render(w, http.StatusBadRequest, errorPage, "The sign-in took too long. Please sign in again.")
		return
	}
	if e := q.Get("error"); e != "" {
		render(w, http.StatusBadRequest, errorPage, "GenAuth refused the sign-in: "+e+" "+q.Get("error_description"))
		return
	}
	tokens, err := a.cfg.SDK.GetAccessTokenByCode(r.Context(), q.Get("code"), authentication.WithCodeVerifier(p.verifier))
	if err != nil {
		a.fail(w, "exchanging the code", err)
		return
	}
	if a.oidc() {
		_, err := a.cfg.SDK.VerifyIDToken(r.Context(), tokens.IDToken,
			authentication.WithNonce(p.nonce), authentication.WithAccessToken(tokens.AccessToken))
		if errors.Is(err, authentication.ErrInvalidIDToken) {
			a.cfg.Logger.Warn("refusing an id token", "err", err)
			render(w, http.StatusBadRequest, errorPage, "GenAuth's answer could not be verified, so you were not signed in. Please sign in again.")
			return
		}
		if err != nil {
			a.fail(w, "verifying the id token", err)
			return
		}
	}
	user, err := a.cfg.SDK.GetUserInfoByAccessToken(r.Context(), tokens.AccessToken)
	if err != nil {
		a.fail(w, "reading the profile", err)
		return
	}
	id, err := authentication.GenerateState() // 128 random bits make a fine session id
	if err != nil {
		a.fail(w, "starting a session", err)
		return
	}
	a.mu.Lock()
	a.users[id] = &session{tokens: tokens, user: user}
	a.mu.Unlock()
	http.SetCookie(w, a.cookie(sessionCookie, id, 0))
	http.Redirect(w, r, "/profile", http.StatusFound)
}

func (a *App) profile(w http.ResponseWriter, r *http.Request) {
	s := a.current(r)
	if s == nil {
		http.Redirect(w, r, "/", http.StatusFound)
		return
	}
	render(w, http.StatusOK, profilePage, s.user)
}

// protected calls this app's own API with the user's access token, as a
// front end would, and shows the answer.
func (a *App) protected(w http.ResponseWriter, r *http.Request) {
	s := a.current(r)
	if s == nil {
		http.Redirect(w, r, "/", http.StatusFound)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, a.cfg.PublicURL+"/api/hello", nil)
	if err != nil {
		a.fail(w, "building API request", err)
		return
	}
	req.Header.Set("Authorization", "Bearer "+s.tokens.AccessToken)
	resp, err := a.cfg.HTTPClient.Do(req)
	if err != nil {
		a.fail(w, "calling the API", err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	render(w, http.StatusOK, apiPage, map[string]any{"Status": resp.Status, "Body": string(body)})
}

// logout revokes the tokens at GenAuth (backend logout), forgets the
// session, and sends the browser to GenAuth's logout URL to end the session
// there too (front-channel logout), which comes back to the home page.
func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	var s *session
	if c, err := r.Cookie(sessionCookie); err == nil {
		a.mu.Lock()
		s = a.users[c.Value]
		delete(a.users, c.Value)
		a.mu.Unlock()
	}
	http.SetCookie(w, a.cookie(sessionCookie, "", -1))
	params := authentication.LogoutParams{RedirectURI: a.cfg.PublicURL + "/"}
	if s != nil {
		// Revoking the refresh token also revokes the access tokens issued with it;
		// the access token is revoked too in case there is no refresh token.
		for _, tok := range []string{s.tokens.RefreshToken, s.tokens.AccessToken} {
			if tok == "" {
				continue
			}
			if _, err := a.cfg.SDK.RevokeToken(r.Context(), tok); err != nil {
				a.cfg.Logger.WarnContext(r.Context(), "revoking a token at logout", "err", err)
			}
		}
		params.IDTokenHint = s.tokens.IDToken
	}
	http.Redirect(w, r, a.cfg.SDK.BuildLogoutURL(params), http.StatusFound)
}

// hello is the protected API: it greets the token's user.
func hello(w http.ResponseWriter, r *http.Request) {
	in, _ := authentication.IntrospectionFromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"hello": in.Sub, "scope": in.Scope})
}

// oidc reports whether the app signs in with OpenID Connect, and so gets an
// id token to verify.
func (a *App) oidc() bool { return a.cfg.SDK.Protocol() == authentication.ProtocolOIDC }

func (a *App) current(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.users[c.Value]
}

func (a *App) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode}
}

// fail logs err and shows a generic page; a protocol error's code is shown
// because it helps whoever runs the example.
func (a *App) fail(w http.ResponseWriter, what string, err error) {
	a.cfg.Logger.Error(what, "err", err)
	msg := "Something went wrong while " + what + "."
	var e *authentication.Error
	if errors.As(err, &e) && e.Code != "" {
		msg += fmt.Sprintf(" GenAuth said: %s.", e.Code)
	}
	render(w, http.StatusBadGateway, errorPage, msg)
}

func render(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := t.Execute(w, data); err != nil {
		slog.Error("rendering page", "err", err)
	}
}

// The pages are deliberately plain.
var (
	layout   = `<!doctype html><html><head><meta charset="utf-8"><title>GenAuth example</title></head><body>%s</body></html>`
	homePage = page(`<h1>GenAuth example app</h1>
{{if .SignedIn}}<p><a href="/profile">Your profile</a></p>
<form method="post" action="/logout"><button>Sign out</button></form>
{{else}}<p><a href="/login">Sign in with GenAuth</a></p>{{end}}`)
	profilePage = page(`<h1>Your profile</h1>
<dl>
<dt>User id</dt><dd id="sub">{{.Sub}}</dd>
<dt>Username</dt><dd id="username">{{with .PreferredUsername}}{{.}}{{else}}unknown{{end}}</dd>
<dt>Name</dt><dd>{{with .Name}}{{.}}{{else}}unknown{{end}}</dd>
<dt>Email</dt><dd>{{with .Email}}{{.}}{{else}}unknown{{end}}</dd>
</dl>
<p><a href="/protected">Call the protected API</a></p>
<form method="post" action="/logout"><button>Sign out</button></form>`)
	apiPage = page(`<h1>Protected API</h1>
<p>GET /api/hello answered <strong id="status">{{.Status}}</strong>:</p>
<pre id="body">{{.Body}}</pre>
<p><a href="/profile">Back to your profile</a></p>`)
	errorPage = page(`<h1>Sign-in problem</h1><p>{{.}}</p><p><a href="/">Home</a></p>`)
)

func page(body string) *template.Template {
	return template.Must(template.New("").Parse(fmt.Sprintf(layout, body)))
}
