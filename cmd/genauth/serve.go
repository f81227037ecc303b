package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/account/admins"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/store/sweep"
)

// shutdownGrace is how long in-flight requests may take to finish after
// SIGINT or SIGTERM before their connections are closed.
const shutdownGrace = 20 * time.Second

// The demo application created on first start, for the README's walkthrough.
const (
	demoAppName     = "Demo application"
	demoRedirectURI = "http://localhost:3000/callback"
	demoLogoutURI   = "http://localhost:3000/"
)

// Sweeper defaults: expired rows are deleted every sweepInterval once they
// are sweepMargin past their expiry.
const (
	sweepInterval = 5 * time.Minute
	sweepMargin   = time.Hour
	// auditRetention is how long audit events are kept: 90 days.
	auditRetention = 90 * 24 * time.Hour
)

func (c *cli) serveCmd() *cobra.Command {
	var addr, publicURL string
	var ops opsConfig
	var mailFlags deliveryFlags
	sw := sweepConfig{interval: sweepInterval, margin: sweepMargin, auditRetention: auditRetention,
		outboxRetention: outboxRetention}
	sess := sessionConfig{ttl: sessions.DefaultTTL, idle: sessions.DefaultIdleTTL}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the identity server",
		Long: `Run the identity server. On first start it creates the database and a demo
application and prints the application's credentials once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pub, err := parsePublicURL(publicURL)
			if err != nil {
				return err
			}
			if addr == "" {
				return errors.New("--addr must not be empty")
			}
			if sess.ttl < time.Minute || sess.idle < time.Minute {
				return errors.New("--session-ttl and --session-idle-ttl must be at least 1m")
			}
			del, err := mailFlags.parse()
			if err != nil {
				return err
			}
			return c.serve(cmd.Context(), addr, pub, sw, sess, ops, del)
		},
	}
	envStringVar(cmd.Flags(), &addr, "addr", "GENAUTH_ADDR", "localhost:8080", "address to listen on, host:port")
	envStringVar(cmd.Flags(), &publicURL, "public-url", "GENAUTH_PUBLIC_URL", "http://localhost:8080",
		"URL at which users and applications reach the server (token issuer and links)")
	c.envVar(cmd.Flags(), &durationValue{&sw.interval}, "sweep-interval", "GENAUTH_SWEEP_INTERVAL",
		"how often to delete expired sessions, codes, tokens and throttle rows, and old audit events (0: never)")
	c.envVar(cmd.Flags(), &durationValue{&sw.margin}, "sweep-margin", "GENAUTH_SWEEP_MARGIN",
		"how long past their expiry rows are kept before the sweeper deletes them")
	c.envVar(cmd.Flags(), &durationValue{&sw.auditRetention}, "audit-retention", "GENAUTH_AUDIT_RETENTION",
		"how long audit events are kept before the sweeper deletes them (0: forever)")
	c.envVar(cmd.Flags(), &durationValue{&sw.outboxRetention}, "outbox-retention", "GENAUTH_OUTBOX_RETENTION",
		"how long sent and given-up email and SMS messages are kept before the sweeper deletes them (0: forever)")
	addDeliveryFlags(cmd.Flags(), &mailFlags)
	c.envVar(cmd.Flags(), &durationValue{&sess.ttl}, "session-ttl", "GENAUTH_SESSION_TTL",
		"how long a browser session lasts after sign-in, however it is used (at least 1m)")
	c.envVar(cmd.Flags(), &durationValue{&sess.idle}, "session-idle-ttl", "GENAUTH_SESSION_IDLE_TTL",
		"how long an unused browser session lasts (at least 1m)")
	c.addOpsFlags(cmd.Flags(), &ops)
	return cmd
}

// sweepConfig is the serve command's sweeper settings.
type sweepConfig struct{ interval, margin, auditRetention, outboxRetention time.Duration }

// startSweeper runs the sweeper in the background until the returned stop
// function is called; stop waits for a pass in progress to end. Every node
// may sweep: the stores make concurrent sweeps safe.
func startSweeper(ctx context.Context, st sweep.Deleter, cfg sweepConfig, logger *slog.Logger) (stop func()) {
	if cfg.interval == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s := &sweep.Sweeper{Store: st, Now: time.Now, Interval: cfg.interval, Margin: cfg.margin,
		AuditRetention: cfg.auditRetention, OutboxRetention: cfg.outboxRetention, Logger: logger}
	go func() {
		defer close(done)
		_ = s.Run(ctx) // fails only on a zero interval, excluded above
	}()
	return func() { cancel(); <-done }
}

// parsePublicURL checks that s is an absolute http(s) URL without query,
// fragment or credentials and returns it without a trailing slash.
func parsePublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "", fmt.Errorf("--public-url %q is not an absolute URL such as https://auth.example.com", s)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("--public-url %q must start with http:// or https://", s)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#") {
		return "", fmt.Errorf("--public-url %q must not have a query or fragment", s)
	}
	if u.User != nil {
		return "", fmt.Errorf("--public-url %q must not contain credentials", s)
	}
	// The URL becomes the token issuer, compared as a string: lower-case the scheme.
	return u.Scheme + strings.TrimRight(s[len(u.Scheme):], "/"), nil
}

// sessionConfig holds the browser session lifetimes of serve.
type sessionConfig struct{ ttl, idle time.Duration }

func (c *cli) serve(ctx context.Context, addr, publicURL string, sw sweepConfig, sess sessionConfig, ops opsConfig, del *delivery) error {
	op, err := ops.start(c.stderr)
	if err != nil {
		return err
	}
	logger := op.logger
	st, err := c.createStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	release, err := c.holdDatabase()
	if err != nil {
		return err
	}
	defer release()
	key, err := c.serverSecret()
	if err != nil {
		return err
	}
	notify, err := del.consoleNotify(st, key)
	if err != nil {
		return err
	}
	handler, stop, err := op.stack(st, server.Config{PublicURL: publicURL, SecretKey: key, Version: versionString(),
		SessionTTL: sess.ttl, SessionIdleTTL: sess.idle, Delivers: del.kinds(), Notify: notify})
	if err != nil {
		return err
	}
	defer stop()
	// Listen before creating the demo application, so that a busy port does
	// not consume the one start that prints its secret.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	ln, scheme, stopOps, err := op.listen(ctx, ln, c.stdout)
	if err != nil {
		return err
	}
	defer stopOps()
	if err := onceInCluster(ctx, st, func() error { return ensureDemoApp(ctx, st, publicURL, c.stdout) }); err != nil {
		return err
	}
	if err := printAdminLink(ctx, st, publicURL, c.stdout, logger); err != nil {
		return err
	}
	defer startSweeper(ctx, st, sw, logger)()
	del.logConfig(logger)
	stopSender, err := startSender(ctx, st, key, del, audit.NewSync(st, logger, time.Now), logger)
	if err != nil {
		return err
	}
	defer stopSender()
	logger.Info("listening", append([]any{"addr", ln.Addr().String(), "public_url", publicURL, "database", c.dbName()}, op.capacity...)...)
	fmt.Fprintf(c.stdout, "GenAuth is listening on %s://%s (public URL %s)\n", scheme, ln.Addr(), publicURL)
	return runHTTP(ctx, newHTTPServer(handler, logger), ln, logger, shutdownGrace)
}

// onceInCluster runs fn under the database's cluster-wide lock when it has
// one (PostgreSQL), so that of several nodes starting together on an empty
// database only one creates the demo application and prints its secret.
func onceInCluster(ctx context.Context, st any, fn func() error) error {
	if l, ok := st.(interface {
		WithLock(context.Context, func() error) error
	}); ok {
		return l.WithLock(ctx, fn)
	}
	return fn()
}

// ensureDemoApp creates the demo application when there is no application at
// all, and prints its credentials and the next steps to w.
func ensureDemoApp(ctx context.Context, st apps.Store, publicURL string, w io.Writer) error {
	list, err := st.ListApplications(ctx)
	if err != nil {
		return err
	}
	if len(list) > 0 {
		return nil
	}
	app, secret, err := appService(st).Create(ctx, apps.CreateParams{
		Name:               demoAppName,
		RedirectURIs:       []string{demoRedirectURI},
		LogoutRedirectURIs: []string{demoLogoutURI},
		GrantTypes:         []string{model.GrantAuthorizationCode, model.GrantRefreshToken},
	})
	if err != nil {
		return fmt.Errorf("creating the demo application: %w", err)
	}
	authorize := publicURL + "/oauth/auth?" + url.Values{
		"client_id":     {app.ID},
		"redirect_uri":  {demoRedirectURI},
		"response_type": {"code"},
		"scope":         {"user"},
		"state":         {"demo"},
	}.Encode()
	fmt.Fprintf(w, `
First start: created the application %q (login callback %s).
Its secret is shown only this once; keep it:

  app_id:     %s
  app_secret: %s

Next steps:
  1. Register a user:  %s/register
     (or sign in at    %s/login)
  2. Log in through the demo application by opening:
     %s
  3. Copy the code from the callback URL (%s?code=...&iss=...&state=demo)
     and exchange it for tokens:
     curl -s %s/oauth/token -d grant_type=authorization_code \
       -d client_id=%s -d client_secret=%s \
       -d redirect_uri=%s -d code=CODE

`, demoAppName, demoRedirectURI, app.ID, secret, publicURL, publicURL, authorize, demoRedirectURI,
		publicURL, app.ID, secret, demoRedirectURI)
	return nil
}

// printAdminLink, when no user is an administrator, makes a new one-time
// link to the console that makes the user who opens it the first, and
// prints it to w with the other first-start output, never to the log.
func printAdminLink(ctx context.Context, st database, publicURL string, w io.Writer, logger *slog.Logger) error {
	tok, err := adminService(st).Bootstrap(ctx)
	if err != nil {
		return fmt.Errorf("making the first-administrator link: %w", err)
	}
	if tok == "" {
		return nil
	}
	logger.Info("no administrator: open the one-time link printed on standard output")
	fmt.Fprintf(w, "GenAuth has no administrator. Open this link within %d hours to become one: %s/console/bootstrap?token=%s\n",
		int(admins.LinkTTL.Hours()), publicURL, tok)
	return nil
}

// httpLimits bound what one client can hold of the server: a slow or
// stalled client is cut off, and headers cannot fill its memory.
type httpLimits struct {
	readHeader, read, write, idle time.Duration
	maxHeaderBytes                int
}

// serveLimits are the limits of `genauth serve`. The write timeout leaves
// room for the slowest request, a batch of user creations hashing passwords.
var serveLimits = httpLimits{
	readHeader:     10 * time.Second,
	read:           30 * time.Second,
	write:          60 * time.Second,
	idle:           2 * time.Minute,
	maxHeaderBytes: 64 << 10,
}

func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return newLimitedHTTPServer(h, logger, serveLimits)
}

func newLimitedHTTPServer(h http.Handler, logger *slog.Logger, l httpLimits) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.readHeader,
		ReadTimeout:       l.read,
		WriteTimeout:      l.write,
		IdleTimeout:       l.idle,
		MaxHeaderBytes:    l.maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// runHTTP serves on ln until ctx is cancelled, then stops accepting
// connections and lets in-flight requests finish for up to grace.
func runHTTP(ctx context.Context, srv *http.Server, ln net.Listener, logger *slog.Logger, grace time.Duration) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down; waiting for in-flight requests", "grace", grace)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("requests still running after %s: %w", grace, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}
