// Command testserver runs the browser tests' environment (package testenv)
// for running the Node tests on their own (npm test). It prints one JSON line
// with the addresses and credentials, then serves until its standard input
// closes (its parent is gone) or it gets SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/opengenauth/genauth/e2e/browser/testenv"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "testserver:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	env, err := testenv.Start(ctx, logger)
	if err != nil {
		return err
	}
	defer env.Close()
	if err := json.NewEncoder(os.Stdout).Encode(env.Info); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}
