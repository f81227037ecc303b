package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opengenauth/genauth/internal/model"
)

// Pinger is what the database collector asks at every scrape. A store that
// is also a Reporter reports its pools and active sessions too.
type Pinger interface {
	// Ping reports whether the database can serve requests.
	Ping(ctx context.Context) error
}

// Reporter is what the collector reads of a store beyond the ping; both
// backends implement it.
type Reporter interface {
	// PoolStats reports the connection pools.
	PoolStats() []model.PoolStats
	// CountActiveSessions counts the sessions unexpired at now and used at or
	// after idleSince.
	CountActiveSessions(ctx context.Context, now, idleSince time.Time) (int, error)
}

// DBConfig says how the database collector reads the store.
type DBConfig struct {
	Store Pinger
	Now   func() time.Time
	// IdleTTL is the session idle limit: a session unused for longer is not active.
	IdleTTL time.Duration
	// MinInterval is the least time between two counts of the sessions table;
	// scrapes in between get the last count. Zero: 10s.
	MinInterval time.Duration
}

var (
	descUp       = prometheus.NewDesc("genauth_db_up", "1 when the database answered the last scrape's ping, else 0.", nil, nil)
	descPing     = prometheus.NewDesc("genauth_db_ping_duration_seconds", "How long the last scrape's database ping took.", nil, nil)
	descSessions = prometheus.NewDesc("genauth_active_sessions", "Browser sessions neither expired nor idle past the idle limit, counted in the database (shared by every node).", nil, nil)
	descMax      = prometheus.NewDesc("genauth_db_pool_max_connections", "Most connections the pool may open (0: unbounded).", []string{"pool"}, nil)
	descOpen     = prometheus.NewDesc("genauth_db_pool_open_connections", "Connections open now.", []string{"pool"}, nil)
	descInUse    = prometheus.NewDesc("genauth_db_pool_in_use_connections", "Connections serving a query or transaction now.", []string{"pool"}, nil)
	descIdle     = prometheus.NewDesc("genauth_db_pool_idle_connections", "Connections idle now.", []string{"pool"}, nil)
	descWaits    = prometheus.NewDesc("genauth_db_pool_waits_total", "Times a query had to wait for a connection.", []string{"pool"}, nil)
	descWaited   = prometheus.NewDesc("genauth_db_pool_wait_seconds_total", "Total time queries waited for a connection.", []string{"pool"}, nil)
)

// dbCollector reads the store at scrape time.
type dbCollector struct {
	cfg DBConfig
	op  Reporter // nil when the store cannot report

	mu        sync.Mutex
	countedAt time.Time
	sessions  int
	countOK   bool
}

// WatchDatabase registers the database metrics of cfg.Store.
func (m *Metrics) WatchDatabase(cfg DBConfig) error {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MinInterval == 0 {
		cfg.MinInterval = 10 * time.Second
	}
	c := &dbCollector{cfg: cfg}
	c.op, _ = cfg.Store.(Reporter)
	return m.reg.Register(c)
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descPing, descSessions, descMax, descOpen, descInUse, descIdle, descWaits, descWaited} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	up := 1.0
	if err := c.cfg.Store.Ping(ctx); err != nil {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
	ch <- prometheus.MustNewConstMetric(descPing, prometheus.GaugeValue, time.Since(start).Seconds())
	if c.op == nil {
		return
	}
	if n, ok := c.activeSessions(ctx); ok {
		ch <- prometheus.MustNewConstMetric(descSessions, prometheus.GaugeValue, float64(n))
	}
	for _, p := range c.op.PoolStats() {
		ch <- prometheus.MustNewConstMetric(descMax, prometheus.GaugeValue, float64(p.MaxOpen), p.Pool)
		ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, float64(p.Open), p.Pool)
		ch <- prometheus.MustNewConstMetric(descInUse, prometheus.GaugeValue, float64(p.InUse), p.Pool)
		ch <- prometheus.MustNewConstMetric(descIdle, prometheus.GaugeValue, float64(p.Idle), p.Pool)
		ch <- prometheus.MustNewConstMetric(descWaits, prometheus.CounterValue, float64(p.WaitCount), p.Pool)
		ch <- prometheus.MustNewConstMetric(descWaited, prometheus.CounterValue, p.WaitDuration.Seconds(), p.Pool)
	}
}

// activeSessions counts at most once per MinInterval; a failed count leaves
// the series out rather than report a wrong number.
func (c *dbCollector) activeSessions(ctx context.Context) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.cfg.Now()
	if !c.countedAt.IsZero() && now.Sub(c.countedAt) < c.cfg.MinInterval && !now.Before(c.countedAt) {
		return c.sessions, c.countOK
	}
	n, err := c.op.CountActiveSessions(ctx, now, now.Add(-c.cfg.IdleTTL))
	c.countedAt, c.sessions, c.countOK = now, n, err == nil
	return n, err == nil
}
