package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/password"
)

// WatchHashing exports the password hashing limiter, read at each scrape.
func (m *Metrics) WatchHashing(l *password.Limiter) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "genauth_password_hash_slots",
			Help: "Password hashes allowed to run at once (--hash-concurrency)."},
			func() float64 { return float64(l.Concurrency()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "genauth_password_hashes_running",
			Help: "Password hashes and verifications running now."},
			func() float64 { return float64(l.Running()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "genauth_password_hashes_queued",
			Help: "Sign-ins, registrations and password changes waiting for a hashing slot now."},
			func() float64 { return float64(l.Queued()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "genauth_password_hashes_refused_total",
			Help: "Requests refused with 503 because every hashing slot was busy and the queue full, or the wait ran out."},
			func() float64 { return float64(l.Refused()) }),
	)
}

// WatchHealth exports the database's state as requests found it.
func (m *Metrics) WatchHealth(t *health.Tracker) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "genauth_db_available",
			Help: "0 from the first request that found the database unavailable (unreachable, read-only, full) until a probe's write succeeds, else 1; requests get 503 meanwhile."},
			func() float64 {
				if t.Available() {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "genauth_db_unavailable_total",
			Help: "Times requests found the database unavailable; an outage counts once."},
			func() float64 { return float64(t.Outages()) }),
	)
}
