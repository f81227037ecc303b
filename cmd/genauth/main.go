package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/opengenauth/genauth/internal/model"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, restore the default handling so that a second
	// Ctrl-C ends a shutdown that is taking too long.
	go func() { <-ctx.Done(); stop() }()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line args and returns the process exit status.
// Every failure is reported as one line on stderr.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(stderr, "genauth: %s\n", errorLine(err))
		return 1
	}
	return 0
}

// errorLine turns err into the one line shown to the user. Validation
// messages from the services are written to be shown as they are.
func errorLine(err error) string {
	msg := err.Error()
	if errors.Is(err, model.ErrInvalidInput) {
		msg = strings.TrimPrefix(msg, model.ErrInvalidInput.Error()+": ")
	}
	// Cobra appends suggestions on further lines; the first line says it all.
	msg, _, _ = strings.Cut(strings.TrimSpace(msg), "\n")
	return msg
}
