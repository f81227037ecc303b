package loadtest

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/server"
)

// bare gives cfg the routes alone to measure; `genauth bench` passes the
// stack `genauth serve` runs (its test is in cmd/genauth).
func bare(cfg Config) Config {
	cfg.Stack = func(st server.Store, publicURL string, key []byte) (http.Handler, func(), error) {
		h, err := server.New(server.Config{PublicURL: publicURL, Store: st, SecretKey: key, Logger: slog.New(slog.DiscardHandler)})
		return h, func() {}, err
	}
	cfg.HTTPServer = func(h http.Handler) *http.Server { return &http.Server{Handler: h} }
	return cfg
}

// TestScenarios runs every scenario briefly against a real server and
// checks that each did work and that every answer was right. It asserts
// nothing about speed.
func TestScenarios(t *testing.T) {
	cfg := Config{
		Scenarios:   scenarioNames,
		Concurrency: 4,
		Duration:    200 * time.Millisecond,
		Tokens:      50,
		RevokePool:  5000,
	}
	rep, err := Run(t.Context(), bare(cfg))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(rep.Results) != len(scenarioNames) {
		t.Fatalf("got %d results, want %d", len(rep.Results), len(scenarioNames))
	}
	for i, res := range rep.Results {
		if res.Scenario != scenarioNames[i] {
			t.Errorf("result %d is %q, want %q", i, res.Scenario, scenarioNames[i])
		}
		if res.Requests == 0 {
			t.Errorf("%s: no requests completed", res.Scenario)
		}
		if res.Errors != 0 {
			t.Errorf("%s: %d errors: %q", res.Scenario, res.Errors, res.ErrorSamples)
		}
		// Four clients stay within the sign-in throttle. The hashing queue
		// may refuse (503) on a loaded machine: its wait is bounded in time.
		if res.Throttled != 0 {
			t.Errorf("%s: %d answers refused by the throttle", res.Scenario, res.Throttled)
		}
		if res.Scenario != "baseline" && res.Ratio <= 0 {
			t.Errorf("%s: no ratio to the baseline", res.Scenario)
		}
	}
	if rep.Database != "sqlite" || rep.Tokens != 50 {
		t.Errorf("report describes %s with %d tokens, want sqlite with 50", rep.Database, rep.Tokens)
	}
	var table, js bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, name := range scenarioNames {
		if !strings.Contains(table.String(), name) {
			t.Errorf("table lacks %s:\n%s", name, table.String())
		}
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("JSON does not decode: %v", err)
	}
	if len(back.Results) != len(rep.Results) || back.Results[1].Requests != rep.Results[1].Requests {
		t.Errorf("JSON round trip lost results: %+v", back.Results)
	}
}

// TestJWTVerifyChecks checks that jwt_verify accepts the server's token and
// refuses one whose signature, or whose user, is not the expected one.
func TestJWTVerifyChecks(t *testing.T) {
	cfg := bare(Config{Scenarios: []string{"jwt_verify"}, Concurrency: 2, Duration: time.Second, Tokens: 1})
	e, err := start(t.Context(), cfg, func(string, ...any) {})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer e.close()
	good := e.jwts[0]
	// The last character of the signature changes its last bits, which a
	// decoder may ignore; the first changes the signature for certain.
	sig := strings.LastIndexByte(good, '.') + 1
	flip := "A"
	if good[sig] == 'A' {
		flip = "B"
	}
	forged := good[:sig] + flip + good[sig+1:]
	tests := []struct {
		name, jwt, sub string
		ok             bool
	}{
		{"the server's token", good, e.userOf(0), true},
		{"another signature", forged, e.userOf(0), false},
		{"another user", good, "someone else", false},
		{"not a JWT", "abc", e.userOf(0), false},
	}
	for _, tt := range tests {
		w := &worker{e: e, jwt: tt.jwt, jwtSub: tt.sub}
		if err := w.jwtVerify(t.Context()); (err == nil) != tt.ok {
			t.Errorf("%s: jwtVerify = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

// TestRevokeEndsWhenPoolIsUsedUp checks that the revoke scenario stops at
// the end of its pool instead of revoking revoked tokens, and that the
// revoked tokens are then inactive (checkRevoked counts them as errors otherwise).
func TestRevokeEndsWhenPoolIsUsedUp(t *testing.T) {
	rep, err := Run(t.Context(), bare(Config{
		Scenarios:   []string{"revoke"},
		Concurrency: 3,
		Duration:    time.Minute,
		Tokens:      1,
		RevokePool:  30,
	}))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	res := rep.Results[0]
	if res.Requests != 30 || res.Errors != 0 {
		t.Errorf("revoke: %d requests, %d errors (%q); want 30 and 0", res.Requests, res.Errors, res.ErrorSamples)
	}
}

func TestParseScenarios(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: "all", want: scenarioNames},
		{in: "baseline, introspect", want: []string{"baseline", "introspect"}},
		{in: "introspect,nope", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseScenarios(tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && strings.Join(got, ",") != strings.Join(tt.want, ",")) {
			t.Errorf("ParseScenarios(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	ok := bare(Config{Scenarios: []string{"baseline"}, Concurrency: 1, Duration: time.Second, Tokens: 1})
	tests := map[string]func(*Config){
		"no scenario":     func(c *Config) { c.Scenarios = nil },
		"no clients":      func(c *Config) { c.Concurrency = 0 },
		"no duration":     func(c *Config) { c.Duration = 0 },
		"negative warmup": func(c *Config) { c.Warmup = -time.Second },
		"no tokens":       func(c *Config) { c.Tokens = 0 },
		"revoke, no pool": func(c *Config) { c.Scenarios = []string{"revoke"} },
		"negative pool":   func(c *Config) { c.RevokePool = -1 },
		"no stack":        func(c *Config) { c.Stack = nil },
	}
	if err := ok.validate(); err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
	for name, change := range tests {
		c := ok
		change(&c)
		if err := c.validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, time.Millisecond}} {
		got := h.quantile(tt.q)
		if diff := float64(got-tt.want) / float64(tt.want); diff < -0.04 || diff > 0.04 {
			t.Errorf("quantile(%v) = %v, want %v within 4%%", tt.q, got, tt.want)
		}
	}
	for _, d := range []time.Duration{0, 1, 63, 64, 65, time.Hour} {
		if got := bucketValue(bucketOf(d)); float64(got) < float64(d)*0.96 || float64(got) > float64(d)*1.04+1 {
			t.Errorf("bucket of %v holds %v", d, got)
		}
	}
}
