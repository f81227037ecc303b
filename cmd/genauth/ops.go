package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/opengenauth/genauth/internal/audit"
	"github.com/opengenauth/genauth/internal/edge"
	"github.com/opengenauth/genauth/internal/metrics"
	"github.com/opengenauth/genauth/internal/store"
	"github.com/opengenauth/genauth/internal/tlsreload"
)

// opsConfig is serve's operational settings: logs, metrics, TLS and proxies.
type opsConfig struct {
	logFormat, logLevel string
	metricsAddr         string
	tls                 tlsFiles
	proxies             edge.Proxies
}

// tlsFiles are --tls-cert and --tls-key, which doctor checks too.
type tlsFiles struct{ cert, key string }

func (c *cli) addOpsFlags(fs *pflag.FlagSet, o *opsConfig) {
	envStringVar(fs, &o.logFormat, "log-format", "GENAUTH_LOG_FORMAT", "text", "log format: text or json")
	envStringVar(fs, &o.logLevel, "log-level", "GENAUTH_LOG_LEVEL", "info", "least level logged: debug, info, warn or error")
	envStringVar(fs, &o.metricsAddr, "metrics-addr", "GENAUTH_METRICS_ADDR", "",
		"address (host:port) of a separate listener serving Prometheus metrics at /metrics (empty: no metrics)")
	c.envVar(fs, &proxiesValue{&o.proxies}, "trusted-proxies", "GENAUTH_TRUSTED_PROXIES",
		"reverse proxies (comma-separated CIDRs or IPs) whose X-Forwarded-For, X-Forwarded-Proto and X-Request-Id are believed")
	addTLSFlags(fs, &o.tls)
}

func addTLSFlags(fs *pflag.FlagSet, t *tlsFiles) {
	envStringVar(fs, &t.cert, "tls-cert", "GENAUTH_TLS_CERT", "",
		"PEM certificate (chain) file: serve HTTPS, reloaded on SIGHUP; needs --tls-key")
	envStringVar(fs, &t.key, "tls-key", "GENAUTH_TLS_KEY", "", "PEM private key file of --tls-cert")
}

func (t tlsFiles) check() error {
	if (t.cert == "") != (t.key == "") {
		return errors.New("--tls-cert and --tls-key go together: give both or neither")
	}
	return nil
}

// proxiesValue is the --trusted-proxies flag.
type proxiesValue struct{ p *edge.Proxies }

func (v *proxiesValue) String() string {
	if v.p == nil {
		return ""
	}
	return v.p.String()
}

func (v *proxiesValue) Set(s string) error {
	p, err := edge.ParseProxies(s)
	if err != nil {
		return err
	}
	*v.p = p
	return nil
}

func (v *proxiesValue) Type() string { return "cidrs" }

// operations is what serve runs around the routes.
type operations struct {
	cfg     opsConfig
	logger  *slog.Logger
	metrics *metrics.Metrics       // nil without --metrics-addr
	cert    *tlsreload.Certificate // nil without --tls-cert
}

// start checks the settings, builds the logger and reads the TLS
// files, before anything listens.
func (o opsConfig) start(stderr io.Writer) (*operations, error) {
	logger, err := edge.NewLogger(stderr, o.logFormat, o.logLevel)
	if err != nil {
		return nil, fmt.Errorf("--log-format/--log-level: %w", err)
	}
	if err := o.tls.check(); err != nil {
		return nil, err
	}
	op := &operations{cfg: o, logger: logger}
	if o.tls.cert != "" {
		if op.cert, err = tlsreload.Load(o.tls.cert, o.tls.key); err != nil {
			return nil, err
		}
	}
	if o.metricsAddr != "" {
		op.metrics = metrics.New(versionString())
		if op.cert != nil {
			op.metrics.WatchCertificate(op.cert.NotAfter)
		}
	}
	return op, nil
}

// instrument returns the store the server should use: timed, with the
// database collector registered, when metrics are on.
func (op *operations) instrument(st store.Store, idle time.Duration) (store.Store, error) {
	if op.metrics == nil {
		return st, nil
	}
	if err := op.metrics.WatchDatabase(metrics.DBConfig{Store: st, IdleTTL: idle}); err != nil {
		return nil, err
	}
	return op.metrics.Store(st), nil
}

// observe counts the trail's events in the metrics.
func (op *operations) observe(trail *audit.Recorder) {
	if op.metrics != nil {
		trail.Observe(op.metrics.ObserveAudit)
	}
}

// handler puts h behind the edge: client address, request id, access log.
func (op *operations) handler(h http.Handler) http.Handler {
	cfg := edge.Config{Logger: op.logger, Proxies: op.cfg.proxies}
	if op.metrics != nil {
		cfg.Metrics = op.metrics
	}
	return edge.Wrap(h, cfg)
}

// listen wraps ln in TLS when configured and starts what runs beside the
// server: the metrics listener and the SIGHUP certificate reloader. scheme
// is "http" or "https"; stop ends what listen started.
func (op *operations) listen(ctx context.Context, ln net.Listener, stdout io.Writer) (_ net.Listener, scheme string, stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if op.metrics != nil {
		mln, err := net.Listen("tcp", op.cfg.metricsAddr)
		if err != nil {
			return nil, "", nil, fmt.Errorf("--metrics-addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", op.metrics.Handler())
		msrv := newHTTPServer(mux, op.logger)
		go func() { _ = msrv.Serve(mln) }()
		stops = append(stops, func() { msrv.Close() })
		fmt.Fprintf(stdout, "Metrics are served on http://%s/metrics\n", mln.Addr())
		op.logger.Info("serving metrics", "addr", mln.Addr().String())
	}
	if op.cert == nil {
		return ln, "http", stop, nil
	}
	stops = append(stops, reloadOnHangup(ctx, op.cert, op.logger))
	// http.Server.Serve negotiates HTTP/2 on this listener too.
	return tls.NewListener(ln, op.cert.Config()), "https", stop, nil
}

// reloadOnHangup reads the certificate files again on every SIGHUP until ctx
// ends or stop is called.
func reloadOnHangup(ctx context.Context, cert *tlsreload.Certificate, logger *slog.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				reloadCertificate(cert, logger)
			}
		}
	}()
	return func() { signal.Stop(hup); cancel(); <-done }
}

// reloadCertificate reloads and logs the outcome; on a failure the old
// certificate stays in service.
func reloadCertificate(cert *tlsreload.Certificate, logger *slog.Logger) {
	if err := cert.Reload(); err != nil {
		logger.Error("TLS certificate not reloaded; still serving the previous one", "err", err)
		return
	}
	logger.Info("TLS certificate reloaded", "not_after", cert.NotAfter())
}
