package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/account/admins"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/idp/ldapconn"
	"github.com/opengenauth/genauth/internal/account/idp/oidcconn"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/reset"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/authn"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/api/management"
	"github.com/opengenauth/genauth/internal/console"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/password"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/protocol/oauth"
	"github.com/opengenauth/genauth/internal/protocol/oidc"
)

// Config is what the server needs; Now, Rand and Logger have defaults.
type Config struct {
	PublicURL string // e.g. "http://localhost:8080", no trailing slash
	Store     Store
	// SecretKey is the server secret (secret.KeyLen bytes) that seals signing keys.
	SecretKey []byte
	Now       func() time.Time
	Rand      io.Reader
	Logger    *slog.Logger
	// Audit records security events; nil: a synchronous recorder.
	Audit *audit.Recorder
	// Session lifetimes; zero: session.DefaultTTL and DefaultIdleTTL.
	SessionTTL     time.Duration
	SessionIdleTTL time.Duration
	// Throttle limits sign-in failures and registrations; nil: throttle.DefaultPolicy.
	Throttle *throttle.Policy
	// Hashing bounds the password hashes and verifications running at once
	// (sign-in, registration, the management API's user changes), each
	// taking password.MemoryPerHash; nil: password.NewDefaultLimiter(0).
	Hashing *password.Limiter
	// Health tracks whether the database serves, for every surface's 503
	// answers, /readyz and Audit; nil: a tracker probing Store.CheckWrite.
	Health *health.Tracker
	// Version is the server's version, as the authentication API's GET system tells it.
	Version string
	// Delivers says which kinds of message (model.MessageEmail,
	// model.MessageSMS) a provider delivers; verification codes of another
	// kind are refused as not configured.
	Delivers map[string]bool
	// Notify is what the console's settings show of email and SMS delivery
	// and where they queue test messages; nil: neither is configured.
	Notify console.Notify
}

// New returns the handler for every GenAuth route.
func New(cfg Config) (http.Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	pub, err := url.Parse(cfg.PublicURL)
	if err != nil || (pub.Scheme != "http" && pub.Scheme != "https") || pub.Host == "" {
		return nil, errors.New("server: the public URL must be an absolute http or https URL")
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Audit == nil {
		cfg.Audit = audit.NewSync(cfg.Store, cfg.Logger, cfg.Now)
	}
	if cfg.Hashing == nil {
		cfg.Hashing = password.NewDefaultLimiter(0)
	}
	if cfg.Health == nil {
		cfg.Health = health.New(health.Config{Probe: cfg.Store.CheckWrite, Logger: cfg.Logger})
	}
	cfg.Audit.Track(cfg.Health)
	policy := throttle.DefaultPolicy
	if cfg.Throttle != nil {
		policy = *cfg.Throttle
	}
	tokens := token.NewSource(cfg.Rand)
	appCache := newAppCache(AppCacheTTL, cfg.Now)
	sealer, err := secret.NewSealer(cfg.SecretKey, cfg.Rand)
	if err != nil {
		return nil, err
	}
	keys := &idtoken.Keys{Store: cfg.Store, Sealer: sealer, Tokens: tokens, Rand: cfg.Rand, Now: cfg.Now}
	if err := keys.Ensure(context.Background()); err != nil {
		return nil, fmt.Errorf("server: signing keys: %w", err)
	}
	browserSessions := &sessions.Manager{
		Store:   cfg.Store,
		Tokens:  tokens,
		Now:     cfg.Now,
		Secure:  pub.Scheme == "https",
		TTL:     cfg.SessionTTL,
		IdleTTL: cfg.SessionIdleTTL,
	}
	loginKey, err := sealer.DeriveKey(throttle.LoginKeyPurpose)
	if err != nil {
		return nil, err
	}
	codeKey, err := sealer.DeriveKey(passcode.KeyPurpose)
	if err != nil {
		return nil, err
	}
	codes := &passcode.Service{Store: cfg.Store, Sealer: sealer, Key: codeKey, Rand: cfg.Rand, NewID: tokens.ID, Now: cfg.Now}
	factorKey, err := sealer.DeriveKey(mfa.KeyPurpose)
	if err != nil {
		return nil, err
	}
	factors := &mfa.Service{Store: cfg.Store, Sealer: sealer, Key: factorKey, Issuer: "GenAuth", Grants: codes, Rand: cfg.Rand,
		NewID: tokens.ID, Now: cfg.Now}
	// Browsers refuse an IP address as a relying party: passkeys are then
	// off (mfa.ErrPasskeysOff), and the rest of MFA works.
	if factors.WebAuthn, err = mfa.NewWebAuthn(cfg.PublicURL, "GenAuth"); err != nil {
		factors.WebAuthn = nil
		cfg.Logger.Warn("passkeys are off", "reason", err.Error())
	}
	hostedUsers := &users.Service{Store: cfg.Store, Tokens: tokens, Rand: cfg.Rand, Now: cfg.Now, Hashing: cfg.Hashing}
	upstream := &idp.Service{Store: cfg.Store, Users: hostedUsers, Sealer: sealer, Tokens: tokens, Rand: cfg.Rand, Now: cfg.Now,
		Audit: cfg.Audit, Web: &oidcconn.Connector{Now: cfg.Now}, LDAP: &ldapconn.Directory{}, PublicURL: cfg.PublicURL}
	hostedLimiter := &throttle.Limiter{Store: cfg.Store, Now: cfg.Now, Policy: policy, LoginKey: loginKey}
	var hostedReset *reset.Service
	// The hosted pages reset passwords by email only, and only when email can be sent.
	if cfg.Delivers[model.MessageEmail] {
		hostedReset = &reset.Service{Codes: codes,
			SignIn: &signin.Service{Store: cfg.Store, Users: hostedUsers, Codes: codes, Limiter: hostedLimiter, Audit: cfg.Audit}}
	}
	hosted, err := pages.New(pages.Config{
		Store:     cfg.Store,
		Users:     hostedUsers,
		Sessions:  browserSessions,
		PublicURL: cfg.PublicURL,
		Logger:    cfg.Logger,
		Limiter:   hostedLimiter,
		Audit:     cfg.Audit,
		Health:    cfg.Health,
		Reset:     hostedReset,
		Codes:     codes,
		Delivers:  cfg.Delivers,
		Factors:   factors,
		IdP:       upstream,
	})
	if err != nil {
		return nil, err
	}
	protocol, err := oauth.New(oauth.Config{
		Store:     cfg.Store,
		Apps:      cachedApps{apps: cfg.Store, cache: appCache},
		Users:     cfg.Store,
		Consents:  cfg.Store,
		Sessions:  browserSessions,
		Tokens:    tokens,
		Now:       cfg.Now,
		PublicURL: cfg.PublicURL,
		Logger:    cfg.Logger,
		ShowError: hosted.RenderError,
		ShowConsent: func(w http.ResponseWriter, r *http.Request, c oauth.ConsentPrompt) {
			hosted.RenderConsent(w, r, pages.ConsentPage(c))
		},
		Keys:      keys,
		Audit:     cfg.Audit,
		Health:    cfg.Health,
		MFAPolicy: factors.Policy,
	})
	if err != nil {
		return nil, err
	}
	connect, err := oidc.New(oidc.Config{
		Keys:          keys,
		Apps:          cfg.Store,
		Sessions:      browserSessions,
		PublicURL:     cfg.PublicURL,
		Logger:        cfg.Logger,
		ShowSignedOut: hosted.RenderSignedOut,
		ShowError:     hosted.RenderError,
		RefuseJSON:    oauth.RefuseText,
		ShowLogoutConfirm: func(w http.ResponseWriter, r *http.Request, p oidc.LogoutPrompt) {
			hosted.RenderLogoutConfirm(w, r, pages.LogoutPage(p))
		},
		Audit:  cfg.Audit,
		Health: cfg.Health,
	})
	if err != nil {
		return nil, err
	}
	management, err := management.New(management.Config{
		Store: cfg.Store,
		Users: &users.Service{Store: cfg.Store, Tokens: tokens, Rand: cfg.Rand, Now: cfg.Now, Hashing: cfg.Hashing},
		// The management API changes applications: it drops them from the cache.
		Apps:   &apps.Service{Store: invalidatingApps{apps: cfg.Store, cache: appCache}, Tokens: tokens, Now: cfg.Now},
		MFA:    factors,
		Sealer: sealer,
		Tokens: tokens,
		Now:    cfg.Now,
		Logger: cfg.Logger,
		Audit:  cfg.Audit,
		Health: cfg.Health,
		Reset: &reset.Service{Codes: codes,
			SignIn: &signin.Service{Store: cfg.Store, Users: hostedUsers, Codes: codes, Limiter: hostedLimiter, Audit: cfg.Audit}},
		Delivers: cfg.Delivers,
		IdP:      upstream,
	})
	if err != nil {
		return nil, err
	}
	if _, err := management.Keys().Ensure(context.Background()); err != nil {
		return nil, fmt.Errorf("server: management access key: %w", err)
	}

	csrfKey, err := sealer.DeriveKey("console forms")
	if err != nil {
		return nil, err
	}
	adminConsole, err := console.New(console.Config{
		PublicURL: cfg.PublicURL,
		Hosted:    browserSessions,
		Sessions: &sessions.Manager{Store: cfg.Store, Tokens: tokens, Now: cfg.Now, Secure: pub.Scheme == "https",
			TTL: console.SessionTTL, IdleTTL: console.SessionIdleTTL, Cookie: console.SessionCookie, Path: console.Path, Strict: true},
		CSRFKey: csrfKey,
		Admins:  &admins.Service{Store: cfg.Store, Tokens: tokens, Now: cfg.Now, Audit: cfg.Audit},
		Store:   cfg.Store,
		Users:   hostedUsers,
		// The console changes applications: it drops them from the cache.
		Apps:    &apps.Service{Store: invalidatingApps{apps: cfg.Store, cache: appCache}, Tokens: tokens, Now: cfg.Now},
		IdP:     upstream,
		MFA:     factors,
		Reset:   &reset.Service{Codes: codes, SignIn: &signin.Service{Store: cfg.Store, Users: hostedUsers, Codes: codes, Limiter: hostedLimiter, Audit: cfg.Audit}},
		Keys:    keys,
		Audit:   cfg.Audit,
		Health:  cfg.Health,
		Now:     cfg.Now,
		Logger:  cfg.Logger,
		Notify:  cfg.Notify,
		Lockout: &policy,
		// A reset code from the users pages goes only where a provider delivers.
		Delivers: cfg.Delivers,
	})
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	// Every route of the four surfaces is behind the edge's text check: a parameter with a NUL
	// byte or invalid UTF-8 is refused, in the route's own format, before a
	// handler or the store sees it (PostgreSQL cannot store it).
	routes := edge.NewRoutes(mux)
	hosted.Register(routes)
	adminConsole.Register(routes)
	protocol.Register(routes)
	connect.Register(routes)
	// The management and authentication APIs share /api/v3: one envelope,
	// one answer for paths neither serves.
	api := envelope.NewMux(routes, envelope.Writer{IDs: tokens, Logger: cfg.Logger, Name: "api", Health: cfg.Health})
	management.Register(api)
	passwordKey := &authn.PasswordKey{Store: cfg.Store, Sealer: sealer, Rand: cfg.Rand, Now: cfg.Now}
	if err := passwordKey.Ensure(context.Background()); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	limiter := &throttle.Limiter{Store: cfg.Store, Now: cfg.Now, Policy: policy, LoginKey: loginKey}
	apiSignIn := &signin.Service{Store: cfg.Store, Users: &users.Service{Store: cfg.Store, Tokens: tokens, Rand: cfg.Rand, Now: cfg.Now, Hashing: cfg.Hashing},
		Codes: codes, Limiter: limiter, Audit: cfg.Audit, Upstream: upstream}
	authentication, err := authn.New(authn.Config{
		Store:       authnStore{cachedApps{apps: cfg.Store, cache: appCache}, cfg.Store},
		Tokens:      protocol,
		SignIn:      apiSignIn,
		Reset:       &reset.Service{SignIn: apiSignIn, Codes: codes},
		MFA:         factors,
		IdP:         upstream,
		IDTokens:    keys,
		Issuer:      cfg.PublicURL + "/oidc",
		Codes:       codes,
		SendLimiter: limiter,
		Delivers:    cfg.Delivers,
		PasswordKey: passwordKey,
		Version:     cfg.Version,
		IDs:         tokens,
		Now:         cfg.Now,
		Logger:      cfg.Logger,
		Health:      cfg.Health,
	})
	if err != nil {
		return nil, err
	}
	authentication.Register(api)
	routes.Refusing(oauth.RefuseText).Handle("POST /mfa/token/introspection", authentication.MFATokenIntrospection(oauth.RefuseText))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	// Not ready while the database does not answer a ping, nor while requests
	// found it unavailable and no write has succeeded since (a full disk or
	// a read-only database still answers pings).
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		err := cfg.Store.Ping(ctx)
		if err != nil && !cfg.Health.Failed(ctx, err) {
			cfg.Logger.WarnContext(ctx, "readiness check failed", "err", err)
		}
		if err != nil || !cfg.Health.Available() {
			w.Header().Set("Retry-After", health.RetryAfter(model.ErrUnavailable))
			writeStatus(w, http.StatusServiceUnavailable, "database unavailable")
			return
		}
		writeStatus(w, http.StatusOK, "ok")
	})
	return securityHeaders(mux, pub.Scheme == "https"), nil
}

func writeStatus(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

// authnStore is what the authentication API reads: applications through the
// cache, tokens and users from the store.
type authnStore struct {
	cachedApps
	Store
}

func (s authnStore) GetApplication(ctx context.Context, id string) (*model.Application, error) {
	return s.cachedApps.GetApplication(ctx, id)
}

func (s authnStore) ListApplications(ctx context.Context) ([]*model.Application, error) {
	return s.Store.ListApplications(ctx)
}
