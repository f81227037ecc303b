package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opengenauth/genauth/internal/server"
)

// Config is one run of the load tool.
type Config struct {
	// Scenarios run in this order; see ParseScenarios.
	Scenarios   []string
	Concurrency int           // simultaneous clients, each with its own connection
	Duration    time.Duration // measured time per scenario
	// Warmup runs each scenario unmeasured first (connections, caches).
	Warmup time.Duration
	// Tokens is how many live access tokens are stored before the runs.
	Tokens int
	// RevokePool is how many further access tokens the revoke scenario may
	// revoke; it ends early when they are used up.
	RevokePool int
	// DatabaseURL is a PostgreSQL server on which a temporary database is
	// created and dropped; empty means SQLite in a temporary directory.
	DatabaseURL string
	// PGMaxConns is the PostgreSQL pool size (0: the store's default).
	PGMaxConns int32
	// Stack builds the handler measured over the seeded store, as `genauth
	// serve` runs it (cmd/genauth passes the function serve uses); stop is
	// called after the HTTP server has stopped. Required.
	Stack func(st server.Store, publicURL string, secretKey []byte) (h http.Handler, stop func(), err error)
	// HTTPServer puts a handler in an http.Server with serve's limits. Required.
	HTTPServer func(http.Handler) *http.Server
	// Progress receives a line per step (seeding, each scenario); nil discards.
	Progress io.Writer
	// CPUProfile, when set, receives a CPU profile of the measured runs.
	CPUProfile io.Writer
}

// ParseScenarios splits a comma-separated list of scenario names; "all"
// stands for every scenario, baseline first.
func ParseScenarios(s string) ([]string, error) {
	var out []string
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "all":
			out = append(out, scenarioNames...)
		case slices.Contains(scenarioNames, name):
			out = append(out, name)
		default:
			return nil, fmt.Errorf("unknown scenario %q (want all or a comma-separated list of %s)",
				name, strings.Join(scenarioNames, ", "))
		}
	}
	return out, nil
}

// Result is one scenario's figures.
type Result struct {
	Scenario string  `json:"scenario"`
	Requests uint64  `json:"requests"` // operations; a code_flow operation is two HTTP requests
	Errors   uint64  `json:"errors"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"requests_per_second"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	// CPUPerOp is the process's CPU time per operation (server and load
	// generator), in microseconds: unlike RPS it hardly moves when other
	// processes compete for the CPUs. 0 when unknown.
	CPUPerOp float64 `json:"cpu_us_per_request,omitempty"`
	// Ratio is RPS over the baseline's RPS in the same run (0 without a baseline).
	Ratio float64 `json:"ratio_to_baseline,omitempty"`
	// Refused counts answers that declined the work for now (503 or 429:
	// the hashing queue full, the sign-in throttle); the client waited the
	// Retry-After (1 s without one) and tried again. They are neither
	// requests nor errors.
	Refused uint64 `json:"refused,omitempty"`
	// Throttled counts the refusals that were the sign-in throttle's (429),
	// the rest being the hashing queue's (503).
	Throttled uint64 `json:"throttled,omitempty"`
	// ErrorSamples are a few distinct error messages, to show what went wrong.
	ErrorSamples []string `json:"error_samples,omitempty"`
}

// Machine describes where a run happened.
type Machine struct {
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPUModel   string `json:"cpu_model"`
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
}

// Report is the outcome of a run.
type Report struct {
	Machine     Machine  `json:"machine"`
	Database    string   `json:"database"`
	Concurrency int      `json:"concurrency"`
	Duration    string   `json:"duration"`
	Tokens      int      `json:"tokens"`
	SeedSeconds float64  `json:"seed_seconds"`
	Results     []Result `json:"results"`
	// PeakRSSBytes is the process's peak resident set (VmHWM): server, database
	// driver and load generator together, since they share the process.
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
}

// Errors is the total error count of the run.
func (r *Report) Errors() uint64 {
	var n uint64
	for _, res := range r.Results {
		n += res.Errors
	}
	return n
}

// Run starts GenAuth on a fresh database, seeds it and runs the scenarios
// one after another. It returns when all have run, or early with an error
// when the server cannot be set up; ctx cancels the run.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	progress := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format+"\n", args...)
		}
	}
	seedStart := time.Now()
	e, err := start(ctx, cfg, progress)
	if err != nil {
		return nil, err
	}
	rep := &Report{
		Machine:     machine(),
		Database:    e.dbKind,
		Concurrency: cfg.Concurrency,
		Duration:    cfg.Duration.String(),
		Tokens:      cfg.Tokens,
		SeedSeconds: time.Since(seedStart).Seconds(),
	}
	progress("seeded in %.1fs", rep.SeedSeconds)
	runErr := rep.runAll(ctx, e, cfg, progress)
	rep.PeakRSSBytes = peakRSS()
	return rep, errors.Join(runErr, e.close())
}

func (rep *Report) runAll(ctx context.Context, e *env, cfg Config, progress func(string, ...any)) error {
	if cfg.CPUProfile != nil {
		if err := pprof.StartCPUProfile(cfg.CPUProfile); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var baseline float64
	for _, name := range cfg.Scenarios {
		if err := ctx.Err(); err != nil {
			return err
		}
		progress("running %s for %s with %d clients", name, cfg.Duration, cfg.Concurrency)
		res := runScenario(ctx, e, cfg, name)
		if name == "baseline" {
			baseline = res.RPS
		}
		if baseline > 0 {
			res.Ratio = res.RPS / baseline
		}
		rep.Results = append(rep.Results, res)
	}
	return nil
}

func (c *Config) validate() error {
	switch {
	case len(c.Scenarios) == 0:
		return errors.New("no scenario to run")
	case c.Stack == nil || c.HTTPServer == nil:
		return errors.New("no server stack to measure")
	case c.Concurrency < 1:
		return errors.New("concurrency must be at least 1")
	case c.Duration <= 0:
		return errors.New("duration must be positive")
	case c.Warmup < 0:
		return errors.New("warmup must not be negative")
	case c.Tokens < 1:
		return errors.New("tokens must be at least 1")
	case c.RevokePool < 0:
		return errors.New("the revoke pool must not be negative")
	case c.RevokePool == 0 && slices.Contains(c.Scenarios, "revoke"):
		return errors.New("the revoke scenario needs a revoke pool of at least 1 token")
	}
	return nil
}

// maxErrorSamples bounds the distinct error messages kept per scenario.
const maxErrorSamples = 5

// tally is what one worker measured.
type tally struct {
	hist                        histogram
	n, errs, refused, throttled uint64
	samples                     []string
}

func (t *tally) fail(err error) {
	t.errs++
	if msg := err.Error(); len(t.samples) < maxErrorSamples && !slices.Contains(t.samples, msg) {
		t.samples = append(t.samples, msg)
	}
}

// runScenario drives one scenario with cfg.Concurrency workers for the
// warm-up and then the measured duration. Operations started within the
// measured window are counted, with their latency and any error.
func runScenario(ctx context.Context, e *env, cfg Config, name string) Result {
	do := scenarioOp(name)
	begin := time.Now()
	measureFrom := begin.Add(cfg.Warmup)
	end := measureFrom.Add(cfg.Duration)
	// However the server behaves, the scenario ends one request timeout after its end.
	ctx, cancel := context.WithDeadline(ctx, end.Add(requestTimeout))
	defer cancel()
	tallies := make([]tally, cfg.Concurrency)
	// CPU time is sampled at the edges of the measured window,
	var cpuFrom, cpuTo time.Duration
	// or when the workers stop early.
	sampling, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	var cpuWG sync.WaitGroup
	cpuWG.Go(func() {
		sleepUntil(sampling, measureFrom)
		cpuFrom = cpuTime()
		sleepUntil(sampling, end)
		cpuTo = cpuTime()
	})
	var wg sync.WaitGroup
	var mu sync.Mutex
	lastStop := measureFrom
	workers := make([]*worker, cfg.Concurrency)
	for i := range cfg.Concurrency {
		w := &worker{
			e:       e,
			rng:     rand.New(rand.NewPCG(uint64(i), uint64(begin.UnixNano()))),
			refresh: e.refresh[i],
			session: e.sessions[i],
		}
		if i < len(e.jwts) {
			w.jwt, w.jwtSub = e.jwts[i], e.userOf(i)
		}
		workers[i] = w
		t := &tallies[i]
		wg.Go(func() {
			for {
				t0 := time.Now()
				if !t0.Before(end) || ctx.Err() != nil {
					return
				}
				err := do(w, ctx)
				if ref, ok := errors.AsType[*refusal](err); ok {
					if !t0.Before(measureFrom) {
						t.refused++
						if ref.throttled {
							t.throttled++
						}
					}
					until := time.Now().Add(ref.wait)
					if end.Before(until) {
						until = end
					}
					sleepUntil(ctx, until)
					continue
				}
				if errors.Is(err, errExhausted) {
					mu.Lock()
					if now := time.Now(); now.After(lastStop) {
						lastStop = now
					}
					mu.Unlock()
					return
				}
				if t0.Before(measureFrom) {
					continue
				}
				t.hist.record(time.Since(t0))
				t.n++
				if err != nil {
					t.fail(err)
				}
			}
		})
	}
	wg.Wait()
	stopSampling()
	cpuWG.Wait()
	// A server that rotates refresh tokens has retired the ones the workers
	// started with; the next scenario goes on from the latest.
	for i, w := range workers {
		e.refresh[i] = w.refresh
	}
	var total tally
	for i := range tallies {
		total.hist.merge(&tallies[i].hist)
		total.n += tallies[i].n
		total.errs += tallies[i].errs
		total.refused += tallies[i].refused
		total.throttled += tallies[i].throttled
		for _, s := range tallies[i].samples {
			if len(total.samples) < maxErrorSamples && !slices.Contains(total.samples, s) {
				total.samples = append(total.samples, s)
			}
		}
	}
	// A scenario that ran out of work (revoke) ended when its last worker did.
	stop := end
	if name == "revoke" && int(e.revokeNext.Load()) >= e.revokePool && lastStop.Before(end) {
		stop = lastStop
	}
	if name == "revoke" {
		w := &worker{e: e}
		revoked := min(int(e.revokeNext.Load()), e.revokePool)
		_, errs := checkRevoked(ctx, w, revoked)
		for _, err := range errs {
			total.fail(err)
		}
	}
	secs := stop.Sub(measureFrom).Seconds()
	res := Result{
		Scenario:     name,
		Requests:     total.n,
		Errors:       total.errs,
		Refused:      total.refused,
		Throttled:    total.throttled,
		Seconds:      secs,
		P50ms:        ms(total.hist.quantile(0.50)),
		P99ms:        ms(total.hist.quantile(0.99)),
		ErrorSamples: total.samples,
	}
	if secs > 0 {
		res.RPS = float64(total.n) / secs
	}
	if cpuFrom >= 0 && cpuTo > cpuFrom && total.n > 0 {
		res.CPUPerOp = float64(cpuTo-cpuFrom) / float64(time.Microsecond) / float64(total.n)
	}
	return res
}

// sleepUntil waits until t or until ctx is done.
func sleepUntil(ctx context.Context, t time.Time) {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func machine() Machine {
	return Machine{
		CPUs:       runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		CPUModel:   cpuModel(),
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
	}
}

// procField returns the value of the first "name:" line of a /proc file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func cpuModel() string {
	if m := procField("/proc/cpuinfo", "model name"); m != "" {
		return m
	}
	return "unknown"
}

// peakRSS is the process's VmHWM in bytes (Linux), or -1 when unknown.
func peakRSS() int64 {
	v := strings.TrimSuffix(procField("/proc/self/status", "VmHWM"), " kB")
	kb, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return -1
	}
	return kb << 10
}
