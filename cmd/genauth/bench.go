package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/loadtest"
	"github.com/opengenauth/genauth/internal/server"
)

func (c *cli) benchCmd() *cobra.Command {
	var (
		scenarios, database, jsonFile, cpuProfile string
		cfg                                       = loadtest.Config{
			Concurrency: 64,
			Duration:    10 * time.Second,
			Warmup:      time.Second,
			Tokens:      1000,
			RevokePool:  100_000,
		}
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure GenAuth on a temporary database (load tool)",
		Long: `Start GenAuth in this process on a loopback port over a fresh temporary database
(SQLite in a temporary directory, or with --database a PostgreSQL database
that is created on that server and dropped afterwards), with everything
"genauth serve" runs by default: request ids, the access log (at info, to the
null device), audit lines and rows, bounded password hashing. Seed applications,
users and --tokens live tokens, and run each scenario with --concurrency
clients for --duration. Every answer is checked; wrong answers are errors.

Scenarios: baseline (a trivial handler on the same server), introspect,
userinfo, client_credentials, refresh, code_flow (authorize with a browser
session, then the code exchange; one operation is two requests), revoke,
mixed, password_signin_api (POST /api/v3/signin), password_signin_form
(POST /login), jwt_verify (a JWT access token checked against the JWKS in
the client, as an API would), get_profile; "all" runs them in this order.
Ratios are against baseline in the same run. A sign-in refused for now
(503 or 429 with Retry-After) is retried after the wait and counted as
refused. The command fails when any request failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if cfg.Scenarios, err = loadtest.ParseScenarios(scenarios); err != nil {
				return err
			}
			if database != "" {
				if err := checkPostgresURL(database); err != nil {
					return fmt.Errorf("--database: %w", err)
				}
			}
			cfg.DatabaseURL = database
			cfg.PGMaxConns = c.pg.MaxConns
			cfg.Progress = c.stderr
			// The server logs as serve does by default (text, info: a line per
			// request); the lines go to the null device, so each still costs its
			// formatting and a write(2), as serve's stderr does.
			sink, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer sink.Close()
			op, err := defaultOps().start(sink)
			if err != nil {
				return err
			}
			cfg.Stack, cfg.HTTPServer = benchServer(op)
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				cfg.CPUProfile = f
			}
			rep, err := loadtest.Run(cmd.Context(), cfg)
			if rep != nil {
				if werr := rep.WriteTable(c.stdout); werr != nil {
					err = errors.Join(err, werr)
				}
				if jsonFile != "" {
					err = errors.Join(err, writeReport(jsonFile, rep))
				}
			}
			if err != nil {
				return err
			}
			if n := rep.Errors(); n > 0 {
				return fmt.Errorf("%d requests failed", n)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&scenarios, "scenario", "all", "scenarios to run: all, or a comma-separated list")
	f.IntVar(&cfg.Concurrency, "concurrency", cfg.Concurrency, "simultaneous clients")
	f.Var(&durationValue{&cfg.Duration}, "duration", "measured time per scenario")
	f.Var(&durationValue{&cfg.Warmup}, "warmup", "unmeasured time before each scenario")
	f.IntVar(&cfg.Tokens, "tokens", cfg.Tokens, "live access tokens stored before the runs")
	f.IntVar(&cfg.RevokePool, "revoke-pool", cfg.RevokePool, "tokens stored for the revoke scenario to revoke")
	// Shadows the global --database: here it names a server to create a
	// temporary database on, and GENAUTH_DATABASE_URL is deliberately ignored.
	f.StringVar(&database, "database", "", "PostgreSQL server URL on which to create (and drop) a temporary database; default SQLite")
	f.StringVar(&jsonFile, "json", "", "also write the results as JSON to this file")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the measured runs to this file")
	return cmd
}

// benchServer is what bench measures: serve's handler stack (op.stack)
// in serve's http.Server.
func benchServer(op *operations) (stack func(server.Store, string, []byte) (http.Handler, func(), error), httpServer func(http.Handler) *http.Server) {
	stack = func(st server.Store, publicURL string, key []byte) (http.Handler, func(), error) {
		return op.stack(st, server.Config{PublicURL: publicURL, SecretKey: key})
	}
	return stack, func(h http.Handler) *http.Server { return newHTTPServer(h, op.logger) }
}

func writeReport(path string, rep *loadtest.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
