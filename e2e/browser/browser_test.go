package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/e2e/browser/testenv"
)

// TestBrowser runs the Node browser tests against a GenAuth server started
// here. Without Chromium, node or npm it skips, except under CI=true, where
// it fails: CI must have run scripts/browser-deps.sh.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	chromium := os.Getenv("GENAUTH_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []string
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		missing = append(missing, "npm")
	}
	if len(missing) > 0 {
		msg := "browser tests need " + strings.Join(missing, ", ") + ": run scripts/browser-deps.sh once"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ctx := t.Context()
	installPackages(t, ctx, npm)

	// The test files are inputs too: reading them lets go test's cache
	// notice when they change.
	files, err := filepath.Glob("tests/*.test.mjs")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, f := range append([]string{"tests/lib.mjs"}, files...) {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}

	var serverLog bytes.Buffer
	env, err := testenv.Start(ctx, slog.New(slog.NewTextHandler(&serverLog, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	info, err := json.Marshal(env.Info)
	if err != nil {
		t.Fatal(err)
	}

	args := append([]string{"--test", "--test-concurrency=1", "--test-reporter=spec"}, files...)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = append(os.Environ(), testenv.EnvVar+"="+string(info), "GENAUTH_CHROMIUM="+chromium)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	if runErr != nil {
		t.Fatalf("node --test: %v\n%s\nserver log:\n%s", runErr, out.String(), serverLog.String())
	}
	// The spec reporter ends with the counts ("ℹ tests 35", "ℹ pass 35", ...).
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "ℹ ") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

// installPackages runs npm ci when package-lock.json differs from the one
// last installed (scripts/browser-deps.sh keeps the same record), so that
// repeated runs need no network.
func installPackages(t *testing.T, ctx context.Context, npm string) {
	t.Helper()
	lock, err := os.ReadFile("package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	const record = "node_modules/.installed-package-lock.json"
	if installed, err := os.ReadFile(record); err == nil && bytes.Equal(installed, lock) {
		return
	}
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("npm ci: %v\n%s", err, out.String())
	}
	if err := os.WriteFile(record, lock, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("npm ci:\n%s", strings.TrimSpace(out.String()))
}
