package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/opengenauth/genauth/authentication"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "webapp:", err)
		os.Exit(1)
	}
}

// env returns the environment variable name, or def when it is unset.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func run(args []string) error {
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	addr := fs.String("addr", env("WEBAPP_ADDR", "localhost:3000"), "listen address (env WEBAPP_ADDR)")
	publicURL := fs.String("public-url", env("WEBAPP_PUBLIC_URL", "http://localhost:3000"), "URL browsers use to reach this app (env WEBAPP_PUBLIC_URL)")
	appID := fs.String("app-id", env("GENAUTH_APP_ID", ""), "GenAuth application id (env GENAUTH_APP_ID)")
	appSecret := fs.String("app-secret", env("GENAUTH_APP_SECRET", ""), "GenAuth application secret (env GENAUTH_APP_SECRET)")
	appHost := fs.String("app-host", env("GENAUTH_APP_HOST", "http://localhost:8080"), "GenAuth server URL (env GENAUTH_APP_HOST)")
	protocol := fs.String("protocol", env("GENAUTH_PROTOCOL", authentication.ProtocolOAuth), "oauth or oidc (env GENAUTH_PROTOCOL)")
	idTokenAlg := fs.String("id-token-alg", env("GENAUTH_ID_TOKEN_ALG", authentication.AlgRS256), "the application's id token signing algorithm, RS256 or ES256, checked with oidc (env GENAUTH_ID_TOKEN_ALG)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base := strings.TrimRight(*publicURL, "/")
	sdk, err := authentication.NewClient(authentication.Options{
		AppID:       *appID,
		AppSecret:   *appSecret,
		AppHost:     *appHost,
		RedirectURI: base + "/callback",
		Protocol:    *protocol,
		IDTokenAlg:  *idTokenAlg,
	})
	if err != nil {
		return err
	}
	app, err := NewApp(Config{PublicURL: base, SDK: sdk})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	slog.Info("example web app listening", "addr", *addr, "public_url", base, "genauth", *appHost)
	return serve(ctx, *addr, app)
}

// shutdownTimeout bounds how long main waits for requests in flight.
const shutdownTimeout = 5 * time.Second

// serve runs handler on addr until ctx ends.
func serve(ctx context.Context, addr string, handler http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
