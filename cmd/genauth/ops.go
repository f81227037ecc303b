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

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/platform/edge"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/metrics"
	"github.com/opengenauth/genauth/internal/platform/password"
	"github.com/opengenauth/genauth/internal/platform/tlsreload"
	"github.com/opengenauth/genauth/internal/server"
)

// opsConfig is serve's operational settings: logs, metrics, TLS, proxies,
// password hashing and memory.
type opsConfig struct {
	logFormat, logLevel string
	metricsAddr         string
	tls                 tlsFiles
	proxies             edge.Proxies
	hashConcurrency     int32 // 0: password.DefaultConcurrency
	memoryLimit         memoryLimit
}

// Serve's defaults, which bench runs with too.
const (
	defaultLogFormat = "text"
	defaultLogLevel  = "info"
)

// defaultOps is serve's settings when no flag or variable is given.
func defaultOps() opsConfig {
	return opsConfig{logFormat: defaultLogFormat, logLevel: defaultLogLevel, memoryLimit: memoryLimit{bytes: memoryLimitAuto}}
}

// tlsFiles are --tls-cert and --tls-key, which doctor checks too.
type tlsFiles struct{ cert, key string }

func (c *cli) addOpsFlags(fs *pflag.FlagSet, o *opsConfig) {
	*o = defaultOps()
	envStringVar(fs, &o.logFormat, "log-format", "GENAUTH_LOG_FORMAT", defaultLogFormat, "log format: text or json")
	envStringVar(fs, &o.logLevel, "log-level", "GENAUTH_LOG_LEVEL", defaultLogLevel, "least level logged: debug, info, warn or error")
	envStringVar(fs, &o.metricsAddr, "metrics-addr", "GENAUTH_METRICS_ADDR", "",
		"address (host:port) of a separate listener serving Prometheus metrics at /metrics (empty: no metrics)")
	c.envVar(fs, &proxiesValue{&o.proxies}, "trusted-proxies", "GENAUTH_TRUSTED_PROXIES",
		"reverse proxies (comma-separated CIDRs or IPs) whose X-Forwarded-For, X-Forwarded-Proto and X-Request-Id are believed")
	addTLSFlags(fs, &o.tls)
	c.envVar(fs, &int32Value{&o.hashConcurrency}, "hash-concurrency", "GENAUTH_HASH_CONCURRENCY",
		fmt.Sprintf("password hashes run at once, %d MiB each; more wait in a short queue, then get 503 (0: one per CPU)", password.MemoryPerHash>>20))
	c.envVar(fs, &o.memoryLimit, "memory-limit", "GENAUTH_MEMORY_LIMIT",
		"soft memory limit of the Go runtime, such as 512MiB or 2GiB; off for none; auto: "+autoMemoryHelp+" (an explicit GOMEMLIMIT wins over auto)")
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
	hashing *password.Limiter
	// capacity describes the hashing slots and the memory limit, for the log.
	capacity []any
}

// start checks the settings, builds the logger, sets the memory limit and
// reads the TLS files, before anything listens.
func (o opsConfig) start(stderr io.Writer) (*operations, error) {
	logger, err := edge.NewLogger(stderr, o.logFormat, o.logLevel)
	if err != nil {
		return nil, fmt.Errorf("--log-format/--log-level: %w", err)
	}
	if err := o.tls.check(); err != nil {
		return nil, err
	}
	op := &operations{cfg: o, logger: logger, hashing: password.NewDefaultLimiter(int(o.hashConcurrency))}
	op.capacity = append([]any{"hash_concurrency", op.hashing.Concurrency()},
		applyMemoryLimit(o.memoryLimit, os.Getenv("GOMEMLIMIT"), op.hashing.Concurrency())...)
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
		op.metrics.WatchHashing(op.hashing)
	}
	return op, nil
}

// stack assembles the handler `genauth serve` runs, which `genauth bench`
// measures too: the store, timed when metrics are on; the audit trail,
// written in batches off the request path; the database health tracker;
// bounded password hashing; the routes (server.New, with cfg's public URL,
// secret key and session lifetimes); and the edge (client address, request
// id, access log, request metrics). stop, called after the HTTP server has
// stopped, writes the last audit rows and ends the tracker's probing.
func (op *operations) stack(st server.Store, cfg server.Config) (_ http.Handler, stop func(), err error) {
	served, err := op.instrument(st, cfg.SessionIdleTTL)
	if err != nil {
		return nil, nil, err
	}
	trail := audit.Start(served, op.logger, time.Now)
	op.observe(trail)
	tracker := health.New(health.Config{Probe: served.CheckWrite, Logger: op.logger})
	stop = func() { trail.Close(); tracker.Close() }
	if op.metrics != nil {
		op.metrics.WatchHealth(tracker)
	}
	cfg.Store, cfg.Logger, cfg.Audit, cfg.Health, cfg.Hashing = served, op.logger, trail, tracker, op.hashing
	h, err := server.New(cfg)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return op.handler(h), stop, nil
}

// instrument returns the store the server should use: timed, with the
// database collector registered, when metrics are on.
func (op *operations) instrument(st server.Store, idle time.Duration) (server.Store, error) {
	if op.metrics == nil {
		return st, nil
	}
	if err := op.metrics.WatchDatabase(metrics.DBConfig{Store: st, IdleTTL: idle}); err != nil {
		return nil, err
	}
	return server.Timed(st, op.metrics.ObserveQuery), nil
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
