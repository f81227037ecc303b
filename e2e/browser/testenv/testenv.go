// Package testenv starts what the browser tests run against: a real GenAuth
// server on loopback with SQLite in a fresh temp dir, three applications (one
// first-party, one that asks for consent, one single-page app), one user, and
// a stand-in application that receives the login and logout callbacks; the
// server's email and SMS go to a real SMTP server and webhook receiver on
// loopback, whose codes the stand-in hands to the tests.
package testenv

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/management"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// EnvVar carries Info as JSON to the Node tests.
const EnvVar = "GENAUTH_BROWSER_ENV"

// userPassword is the seeded user's; this only ever runs on loopback.
const userPassword = "correct horse battery"

// App is an application's credentials.
type App struct {
	Name         string `json:"name"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// Info is what the tests need to know, as JSON.
type Info struct {
	URL    string            `json:"url"`     // GenAuth
	AppURL string            `json:"app_url"` // the stand-in application
	Apps   map[string]App    `json:"apps"`    // "first", "consent" and "spa"
	User   map[string]string `json:"user"`    // username, email, name, password
	// Management holds the management API's access_key_id and access_key_secret.
	Management map[string]string `json:"management"`
	// CodeUser (username, email, phone, password) signs in with codes; its
	// codes, like any address's, come from MessagesURL?to=ADDRESS.
	CodeUser    map[string]string `json:"code_user"`
	MessagesURL string            `json:"messages_url"`
	// PasskeyURL is the same GenAuth (one database) at http://localhost:PORT:
	// browsers refuse an IP address as a passkey's relying party, so only
	// there do the pages offer passkeys.
	PasskeyURL string `json:"passkey_url"`
	// Upstream is a second GenAuth (its own database) that the "sso"
	// application's users sign in with: the OpenID Connect connection
	// "corp-sso". The "sso" application also offers the LDAP connection
	// "corp-ldap", whose directory does not answer (its page and error only).
	Upstream Upstream `json:"upstream"`
	// Admins are the console's administrators by test file (adminNames).
	Admins map[string]Admin `json:"admins"`
}

// Upstream is the upstream identity provider and its user.
type Upstream struct {
	URL        string            `json:"url"`
	Connection string            `json:"connection"`
	Directory  string            `json:"directory"`
	User       map[string]string `json:"user"` // username, email, name, password
}

// Env is a running environment.
type Env struct {
	Info
	dir               string
	store             *sqlite.Store
	idp, passkey, app *http.Server
	upstream          *http.Server
	upstreamStore     *sqlite.Store
	upstreamApp       upstreamApp
	mailbox           *mailbox
}

// Start runs the environment until Close.
func Start(ctx context.Context, logger *slog.Logger) (_ *Env, err error) {
	e := &Env{}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	if e.dir, err = os.MkdirTemp("", "genauth-browser-"); err != nil {
		return nil, err
	}
	if e.store, err = sqlite.Open(filepath.Join(e.dir, "genauth.db")); err != nil {
		return nil, err
	}
	if err := e.store.Migrate(ctx); err != nil {
		return nil, err
	}
	idpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	appLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		idpLn.Close()
		return nil, err
	}
	pkLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		idpLn.Close()
		appLn.Close()
		return nil, err
	}
	// Another host than this GenAuth's: cookies are kept by host, not by
	// port, and both servers name their session cookie alike.
	upLn, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		idpLn.Close()
		appLn.Close()
		pkLn.Close()
		return nil, err
	}
	closeAll := func() {
		idpLn.Close()
		appLn.Close()
		pkLn.Close()
		upLn.Close()
	}
	e.Info = Info{
		URL:    "http://" + idpLn.Addr().String(),
		AppURL: "http://" + appLn.Addr().String(),
		Apps:   map[string]App{},
		User:   map[string]string{"username": "alice", "email": "alice@example.com", "name": "Alice Liddell", "password": userPassword},
		CodeUser: map[string]string{"username": "carol", "email": "carol@example.com", "phone": "13800000009",
			"password": userPassword},
		MessagesURL: "http://" + appLn.Addr().String() + "/test/messages/next",
		PasskeyURL:  fmt.Sprintf("http://localhost:%d", pkLn.Addr().(*net.TCPAddr).Port),
		Upstream: Upstream{URL: "http://" + upLn.Addr().String(), Connection: "corp-sso", Directory: "corp-ldap",
			User: map[string]string{"username": "dana", "email": "dana@corp.example", "name": "Dana Scully", "password": userPassword}},
	}
	key := make([]byte, secret.KeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if e.mailbox, err = startMailbox(e.store, key, logger); err != nil {
		closeAll()
		return nil, err
	}
	// Every test registers, sends codes and loads the login page (which
	// begins a passkey sign-in) from 127.0.0.1: the per-address limits
	// (tested in Go) would make the tests depend on their order and number.
	policy := throttle.DefaultPolicy
	policy.RegistrationsPerAddress = 1000
	policy.SendsPerAddress = 1000
	policy.PasskeyBeginsPerAddress = 10000
	cfg := server.Config{PublicURL: e.URL, Store: e.store, SecretKey: key, Logger: logger,
		Delivers: map[string]bool{model.MessageEmail: true, model.MessageSMS: true}, Throttle: &policy}
	if cfg.Notify, err = e.mailbox.notify(e.store, key); err != nil {
		return nil, err
	}
	h, err := server.New(cfg)
	var pkHandler http.Handler
	if err == nil {
		cfg.PublicURL = e.PasskeyURL
		pkHandler, err = server.New(cfg)
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	tokens := token.NewSource(rand.Reader)
	sealer, err := secret.NewSealer(key, rand.Reader)
	var creds *management.Credentials
	if err == nil {
		creds, err = (&management.Keys{Store: e.store, Sealer: sealer, Tokens: tokens, Now: time.Now}).Load(ctx)
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	e.Management = map[string]string{"access_key_id": creds.ID, "access_key_secret": creds.Secret}
	appSvc := &apps.Service{Store: e.store, Tokens: tokens, Now: time.Now}
	for id, p := range map[string]apps.CreateParams{
		// An OAuth application: opaque access tokens, as GenAuth gives one.
		"first":   {Name: "Acme Notes", DefaultProtocol: model.ProtocolOAuth},
		"consent": {Name: "Photo Printer", RequireConsent: true},
		// A single-page app: a public client whose page calls GenAuth from the
		// stand-in's origin; an OpenID Connect one, so its access tokens are JWTs.
		"spa": {Name: "Notes SPA", TokenAuthMethod: model.AuthNone},
		// Offers the upstream connections.
		"sso": {Name: "Team Wiki"},
	} {
		p.RedirectURIs = []string{e.AppURL + "/callback"}
		p.LogoutRedirectURIs = []string{e.AppURL + "/signed-out"}
		app, sec, err := appSvc.Create(ctx, p)
		if err != nil {
			return nil, err
		}
		e.Apps[id] = App{Name: app.Name, ClientID: app.ID, ClientSecret: sec}
	}
	userSvc := &users.Service{Store: e.store, Tokens: tokens, Rand: rand.Reader, Now: time.Now}
	for _, p := range []users.CreateParams{
		{Username: e.User["username"], Email: e.User["email"], Name: e.User["name"], Password: userPassword},
		{Username: e.CodeUser["username"], Email: e.CodeUser["email"], Phone: e.CodeUser["phone"], Password: userPassword},
	} {
		if _, err := userSvc.Create(ctx, p); err != nil {
			return nil, err
		}
	}
	if e.Admins, err = seedAdmins(ctx, e.store, sealer, tokens, userSvc, audit.NewSync(e.store, logger, time.Now)); err != nil {
		closeAll()
		return nil, err
	}
	upHandler, err := e.startUpstream(ctx, logger)
	if err != nil {
		closeAll()
		return nil, err
	}
	if err := e.connectUpstream(ctx, sealer, tokens, userSvc); err != nil {
		closeAll()
		return nil, err
	}
	e.idp = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	e.upstream = &http.Server{Handler: upHandler, ReadHeaderTimeout: 10 * time.Second}
	go serve(e.upstream, upLn, logger)
	standInMux := http.NewServeMux()
	standInMux.HandleFunc("/", standIn)
	standInMux.HandleFunc("GET /test/messages/next", e.mailbox.serveNext)
	e.app = &http.Server{Handler: standInMux, ReadHeaderTimeout: 10 * time.Second}
	e.passkey = &http.Server{Handler: pkHandler, ReadHeaderTimeout: 10 * time.Second}
	go serve(e.idp, idpLn, logger)
	go serve(e.passkey, pkLn, logger)
	go serve(e.app, appLn, logger)
	return e, nil
}

func serve(s *http.Server, l net.Listener, logger *slog.Logger) {
	if err := s.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		logger.Error("testenv: serve", "err", err)
	}
}

// Close stops the servers and removes the database.
func (e *Env) Close() {
	for _, s := range []*http.Server{e.app, e.passkey, e.idp, e.upstream} {
		if s != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = s.Shutdown(ctx)
			cancel()
		}
	}
	if e.mailbox != nil {
		e.mailbox.close()
	}
	if e.store != nil {
		e.store.Close()
	}
	if e.upstreamStore != nil {
		e.upstreamStore.Close()
	}
	if e.dir != "" {
		os.RemoveAll(e.dir)
	}
}

// standIn is the application the browser is sent back to: it shows what it
// received, as a real one would before exchanging the code.
func standIn(w http.ResponseWriter, r *http.Request) {
	var heading string
	switch r.URL.Path {
	case "/callback":
		heading = "Callback received"
	case "/signed-out":
		heading = "Signed out of the application"
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, "<!doctype html><html lang=\"en\"><title>%s</title><h1>%s</h1><p id=\"query\">%s</p>",
		heading, heading, html.EscapeString(r.URL.Query().Encode()))
}
