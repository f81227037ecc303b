//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// cliChildEnv, when set, makes the test binary run the command line it holds
// (arguments separated by newlines) instead of the tests: runAsOtherUser
// needs the CLI in a process of its own.
const cliChildEnv = "GENAUTH_TEST_CLI_CHILD"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(cliChildEnv); ok {
		os.Exit(run(context.Background(), strings.Split(args, "\n"), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// runWithoutPermission runs the command line as a user who may read but not
// write base's entries: as root (CI) it runs as nobody, since root may write
// anywhere; otherwise it runs as this user, base's entries made read-only.
func runWithoutPermission(t *testing.T, base string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	exe := os.Args[0]
	cmd := exec.Command(exe)
	if os.Geteuid() == 0 {
		// The test binary sits in root's private build directory: nobody
		// needs a copy it can run.
		exe = filepath.Join(base, "genauth.test")
		if err := copyFile(os.Args[0], exe); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(exe, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command(exe)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	} else {
		entries, err := os.ReadDir(base)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			mode := os.FileMode(0o555)
			if e.Name() == "private" {
				mode = 0
			}
			if err := os.Chmod(filepath.Join(base, e.Name()), mode); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(filepath.Join(base, e.Name()), 0o700) })
		}
	}
	cmd.Env = append(os.Environ(), cliChildEnv+"="+strings.Join(args, "\n"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("running %v: %v", args, err)
		}
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

// TestDataDirWithoutPermission: a data directory the user cannot write or
// enter is reported as "permission denied", naming it, not as SQLite's
// "unable to open database file".
func TestDataDirWithoutPermission(t *testing.T) {
	base := t.TempDir()
	// t.TempDir's directories are private to this user; the other user must
	// reach the entries to be refused by them.
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	readOnly := filepath.Join(base, "read-only")
	if err := os.Mkdir(readOnly, 0o755); err != nil {
		t.Fatal(err)
	}
	private := filepath.Join(base, "private") // a migrated data directory, mode 0700
	mustRun(t, "", "migrate", "--data-dir", private)
	for _, tc := range []struct {
		dir  string
		args []string
	}{
		{readOnly, []string{"migrate"}},
		{readOnly, []string{"serve", "--addr", "127.0.0.1:0"}},
		{private, []string{"user", "list"}},
	} {
		args := append(tc.args, "--data-dir", tc.dir)
		out, errOut, code := runWithoutPermission(t, base, args...)
		wantOneLineError(t, args, out, errOut, code, "data directory "+tc.dir+": permission denied")
	}
}
