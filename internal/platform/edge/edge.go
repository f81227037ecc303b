package edge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// RequestIDHeader carries the request id, in and out.
const RequestIDHeader = "X-Request-Id"

// Observer receives every answered request, as the metrics count them.
type Observer interface {
	RequestStarted() (done func())
	ObserveRequest(route, method string, code int, d time.Duration)
}

// Config configures Wrap.
type Config struct {
	Logger *slog.Logger
	// Proxies whose X-Forwarded-For, X-Forwarded-Proto and X-Request-Id
	// headers are believed; from anyone else they are ignored.
	Proxies Proxies
	// Metrics, when set, observes every request.
	Metrics Observer
	// Rand makes request ids; nil: crypto/rand.
	Rand io.Reader
	// Now times requests; nil: time.Now.
	Now func() time.Time
}

// Wrap returns next behind the edge: the request next sees has RemoteAddr
// set to the client's address (as the trusted proxies report it) and, when a
// trusted proxy says the client used https, URL.Scheme "https"; its context
// carries the request id, which the response also carries.
func Wrap(next http.Handler, cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := cfg.Now()
		if cfg.Metrics != nil {
			defer cfg.Metrics.RequestStarted()()
		}
		trusted := false
		if peer, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
			trusted = cfg.Proxies.Contains(peer.Addr())
		}
		id := ""
		if trusted {
			id = validID(r.Header.Get(RequestIDHeader))
		}
		if id == "" {
			id = newID(cfg.Rand)
		}
		r2 := r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		if trusted {
			if client, ok := cfg.Proxies.clientAddr(r.Header.Values("X-Forwarded-For")); ok {
				r2.RemoteAddr = net.JoinHostPort(client.String(), "0")
			}
			if forwardedHTTPS(r.Header.Values("X-Forwarded-Proto")) {
				u := *r.URL
				u.Scheme = "https"
				r2.URL = &u
				r2 = r2.WithContext(context.WithValue(r2.Context(), httpsKey{}, true))
			}
		}
		w.Header().Set(RequestIDHeader, id)
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r2)
		d := cfg.Now().Sub(start)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		// The pattern the ServeMux matched: bounded, unlike the path.
		route := r2.Pattern
		if route == "" {
			route = "unmatched"
		}
		if cfg.Metrics != nil {
			cfg.Metrics.ObserveRequest(route, r.Method, rec.status, d)
		}
		level := slog.LevelInfo
		if route == "GET /healthz" || route == "GET /readyz" {
			// Load balancers poll these every few seconds.
			level = slog.LevelDebug
		}
		cfg.Logger.LogAttrs(r2.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("route", route),
			// The path only: protocol query strings carry codes and tokens.
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes),
			slog.Float64("duration_seconds", d.Seconds()),
			slog.String("client_ip", hostOf(r2.RemoteAddr)),
			slog.String("user_agent", r.UserAgent()))
	})
}

// forwardedHTTPS reads X-Forwarded-Proto as the nearest proxy set it: the
// last value, since a proxy that appends puts its own at the end.
func forwardedHTTPS(values []string) bool {
	if len(values) == 0 {
		return false
	}
	parts := strings.Split(values[len(values)-1], ",")
	return strings.EqualFold(strings.TrimSpace(parts[len(parts)-1]), "https")
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

type requestIDKey struct{}

// httpsKey marks a request that a trusted proxy says came over https.
type httpsKey struct{}

// HTTPS reports whether the client reached GenAuth over TLS: the connection
// is TLS, or a trusted proxy reported https (see Wrap). URL.Scheme alone
// proves nothing: a client can send an absolute request target.
func HTTPS(r *http.Request) bool {
	forwarded, _ := r.Context().Value(httpsKey{}).(bool)
	return r.TLS != nil || forwarded
}

// Loopback reports whether the request came straight from this host: the
// connection's peer is a loopback address and no proxy header says it
// forwarded the request for someone else (a proxy on this host that is not
// in the trusted list still sends them).
func Loopback(r *http.Request) bool {
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && peer.Addr().Unmap().IsLoopback()
}

// RequestID is the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newID(r io.Reader) string {
	var b [12]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "unavailable"
	}
	return hex.EncodeToString(b[:])
}

// validID keeps an incoming id only when it is short and plain, so that it
// can go into log lines and a response header as it is.
func validID(s string) string {
	if s == "" || len(s) > 128 {
		return ""
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:", c)
		if !ok {
			return ""
		}
	}
	return s
}

// recorder notes the status and the size of the answer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
