package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Run runs the Node test files of dir (the e2e/browser folder) that glob
// matches and keep accepts, against a GenAuth server started here. Without
// Chromium, node or npm it skips, except under CI=true, where it fails: CI
// must have run scripts/test-deps.sh. The page tests, the accessibility
// test and the SDK tests are three Go packages that call it, so that each
// has go test's ten minutes.
func Run(t *testing.T, dir, glob string, keep func(file string) bool) {
	t.Helper()
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
		msg := "browser tests need " + strings.Join(missing, ", ") + ": run scripts/test-deps.sh once"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ctx := t.Context()
	installPackages(t, ctx, dir, npm)

	// The test files are inputs too: reading them lets go test's cache
	// notice when they change.
	all, err := filepath.Glob(filepath.Join(dir, "tests", glob))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range all {
		if keep(filepath.Base(f)) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		t.Fatalf("no test files match %s in %s", glob, dir)
	}
	for _, f := range append([]string{filepath.Join(dir, "tests", "lib.mjs")}, files...) {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}

	var serverLog bytes.Buffer
	env, err := Start(ctx, slog.New(slog.NewTextHandler(&serverLog, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	info, err := json.Marshal(env.Info)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--test", "--test-concurrency=1", "--test-reporter=spec"}
	for _, f := range files {
		rel, err := filepath.Rel(dir, f)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, rel)
	}
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), EnvVar+"="+string(info), "GENAUTH_CHROMIUM="+chromium)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("node --test: %v\n%s\nserver log:\n%s", err, out.String(), serverLog.String())
	}
	// The spec reporter ends with the counts ("ℹ tests 35", "ℹ pass 35", ...).
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "ℹ ") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

// installPackages runs npm ci in dir when package-lock.json differs from
// the one last installed (scripts/test-deps.sh keeps the same record),
// so that repeated runs need no network. A lock file keeps the two test
// packages, which go test runs at once, from installing over each other.
func installPackages(t *testing.T, ctx context.Context, dir, npm string) {
	t.Helper()
	lockFile, err := os.OpenFile(filepath.Join(dir, ".npm-install.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lockFile.Close()
	if err := syscall.Flock(int(lockFile.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lockFile.Fd()), syscall.LOCK_UN)

	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(dir, "node_modules", ".installed-package-lock.json")
	if installed, err := os.ReadFile(record); err == nil && bytes.Equal(installed, lock) {
		return
	}
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
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
