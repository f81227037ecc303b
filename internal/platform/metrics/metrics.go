package metrics

import (
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/opengenauth/genauth/internal/model"
)

// Metrics holds GenAuth's collectors in a registry of its own, so that tests
// can run several servers in one process.
type Metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge

	audit         *prometheus.CounterVec
	issued        *prometheus.CounterVec
	refreshed     *prometheus.CounterVec
	revoked       *prometheus.CounterVec
	reuse         *prometheus.CounterVec
	logins        *prometheus.CounterVec
	lockouts      prometheus.Counter
	registrations *prometheus.CounterVec

	query *prometheus.HistogramVec
}

// New returns the metrics of one server; version labels genauth_build_info.
func New(version string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "genauth_build_info",
		Help: "Always 1; the labels say which GenAuth build runs."}, []string{"version", "goversion"})
	build.WithLabelValues(version, runtime.Version()).Set(1)
	f(build)

	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "genauth_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status code."}, []string{"route", "method", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "genauth_http_request_duration_seconds",
		Help:    "Time from a request's arrival to the end of its answer, by route pattern and method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"route", "method"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "genauth_http_requests_in_flight",
		Help: "Requests being answered now."})
	f(m.requests)
	f(m.duration)
	f(m.inFlight)

	m.audit = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "genauth_audit_events_total",
		Help: "Security events recorded in the audit trail, by event type."}, []string{"event"})
	m.issued = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "genauth_tokens_issued_total",
		Help: "Token responses for a new grant (authorization_code, client_credentials, implicit), by grant and application."},
		[]string{"grant", "client_id"})
	m.refreshed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "genauth_tokens_refreshed_total",
		Help: "Token responses to the refresh_token grant, by application."}, []string{"client_id"})
	m.revoked = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "genauth_tokens_revoked_total",
		Help: "Tokens revoked at the revocation endpoint, by kind (access, refresh) and application."},
		[]string{"kind", "client_id"})
	m.reuse = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "genauth_token_reuse_total",
		Help: "Replayed authorization codes and refresh tokens (their grant was revoked), by kind."}, []string{"kind"})
	m.logins = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "genauth_logins_total",
		Help: "Sign-in attempts on the hosted login page, by result: success, failure (wrong or suspended), throttled (refused while locked)."},
		[]string{"result"})
	m.lockouts = prometheus.NewCounter(prometheus.CounterOpts{Name: "genauth_login_lockouts_total",
		Help: "Failed sign-ins that locked an account or a client address."})
	m.registrations = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "genauth_registrations_total",
		Help: "Registrations on the hosted page, by result: success, throttled."}, []string{"result"})
	for _, c := range []prometheus.Collector{m.audit, m.issued, m.refreshed, m.revoked, m.reuse, m.logins, m.lockouts, m.registrations} {
		f(c)
	}
	// Zero series for the results an alert divides by, so rates exist from the start.
	for _, r := range []string{"success", "failure", "throttled"} {
		m.logins.WithLabelValues(r)
	}

	m.query = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "genauth_db_query_duration_seconds",
		Help:    "Time taken by the store operations of the server, by operation.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"op"})
	f(m.query)
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Register adds a further collector (the database's, say).
func (m *Metrics) Register(c prometheus.Collector) error { return m.reg.Register(c) }

// RequestStarted counts a request in flight; call the returned function when it ends.
func (m *Metrics) RequestStarted() (done func()) {
	m.inFlight.Inc()
	return m.inFlight.Dec
}

// ObserveRequest counts an answered request. route is the ServeMux pattern
// that matched, so the label set stays bounded whatever paths clients send.
func (m *Metrics) ObserveRequest(route, method string, code int, d time.Duration) {
	method = boundedMethod(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// boundedMethod keeps the standard methods and folds the rest, which any
// client can invent, into one label value.
func boundedMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// knownEvents bounds the event label to the documented types.
var knownEvents = map[string]bool{
	model.AuditLoginSuccess: true, model.AuditLoginFailure: true, model.AuditLoginLockout: true,
	model.AuditRegister: true, model.AuditTokenIssue: true, model.AuditTokenRevoke: true,
	model.AuditCodeReuse: true, model.AuditRefreshReuse: true, model.AuditLogoutAll: true,
	model.AuditSessionEnd: true, model.AuditRegisterRefuse: true,
}

// ObserveAudit counts a security event; hook it on the audit.Recorder. The
// client_id label is only taken from token events, whose client has
// authenticated: a sign-in's client_id comes from the browser's URL.
func (m *Metrics) ObserveAudit(e model.AuditEvent) {
	if knownEvents[e.Type] {
		m.audit.WithLabelValues(e.Type).Inc()
	} else {
		m.audit.WithLabelValues("other").Inc()
	}
	switch e.Type {
	case model.AuditTokenIssue:
		if e.Detail == model.GrantRefreshToken {
			m.refreshed.WithLabelValues(e.ClientID).Inc()
		} else {
			m.issued.WithLabelValues(e.Detail, e.ClientID).Inc()
		}
	case model.AuditTokenRevoke:
		m.revoked.WithLabelValues(e.Detail, e.ClientID).Inc()
	case model.AuditCodeReuse:
		m.reuse.WithLabelValues("authorization_code").Inc()
	case model.AuditRefreshReuse:
		m.reuse.WithLabelValues("refresh_token").Inc()
	case model.AuditLoginSuccess:
		m.logins.WithLabelValues("success").Inc()
	case model.AuditLoginFailure:
		// The login page records a refusal while locked as a failure "locked".
		if e.Detail == "locked" {
			m.logins.WithLabelValues("throttled").Inc()
		} else {
			m.logins.WithLabelValues("failure").Inc()
		}
	case model.AuditLoginLockout:
		m.logins.WithLabelValues("failure").Inc()
		m.lockouts.Inc()
	case model.AuditRegister:
		m.registrations.WithLabelValues("success").Inc()
	case model.AuditRegisterRefuse:
		m.registrations.WithLabelValues("throttled").Inc()
	}
}

// WatchCertificate exports the expiry of the served TLS certificate; notAfter
// is read at every scrape, so a reloaded certificate shows at once.
func (m *Metrics) WatchCertificate(notAfter func() time.Time) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "genauth_tls_certificate_expiry_timestamp_seconds",
		Help: "When the served TLS certificate expires, in Unix seconds."},
		func() float64 { return float64(notAfter().Unix()) }))
}

// ObserveQuery records that the store operation op (snake_case, such as
// get_token) took d, in genauth_db_query_duration_seconds.
func (m *Metrics) ObserveQuery(op string, d time.Duration) {
	m.query.WithLabelValues(op).Observe(d.Seconds())
}
