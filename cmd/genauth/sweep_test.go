package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// TestServeSweeps starts serve on a database holding an expired and a live
// token and waits, by reading the log, for the sweeper's first pass.
func TestServeSweeps(t *testing.T) {
	dir := newDataDir(t)
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, tok := range []*model.Token{
		{Hash: "h-old", ID: "jti-old", Kind: model.TokenAccess, GrantID: "g", ClientID: "app", IssuedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-2 * time.Hour)},
		{Hash: "h-recent", ID: "jti-recent", Kind: model.TokenAccess, GrantID: "g", ClientID: "app", IssuedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-time.Minute)},
		{Hash: "h-live", ID: "jti-live", Kind: model.TokenAccess, GrantID: "g", ClientID: "app", IssuedAt: now, ExpiresAt: now.Add(time.Hour)},
	} {
		if err := st.CreateTokens(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir,
			"--sweep-interval", "1h", "--sweep-margin", "1h"}, strings.NewReader(""), io.Discard, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var logs []string
	for sc.Scan() {
		logs = append(logs, sc.Text())
		if strings.Contains(sc.Text(), "swept expired") {
			cancel()
		}
	}
	if code := <-exited; code != 0 {
		t.Fatalf("serve exited %d; log %q", code, logs)
	}
	if !strings.Contains(strings.Join(logs, "\n"), "deleted=1") {
		t.Errorf("log %q lacks the sweep of one token", logs)
	}
	st, err = sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tc := range []struct {
		hash string
		kept bool
	}{{"h-old", false}, {"h-recent", true}, {"h-live", true}} {
		_, err := st.GetToken(t.Context(), tc.hash)
		if kept := !errors.Is(err, model.ErrNotFound); kept != tc.kept || (err != nil && kept) {
			t.Errorf("token %s: GetToken error %v; want kept = %v", tc.hash, err, tc.kept)
		}
	}
}

func TestServeSweepFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--sweep-interval", "-1m"}, "must not be negative"},
		{[]string{"serve", "--sweep-margin", "an hour"}, "want a duration"},
	} {
		args := append(tc.args, "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0")
		out, errOut, code := cliRun(t, "", args...)
		wantOneLineError(t, args, out, errOut, code, tc.want)
	}
	t.Setenv("GENAUTH_SWEEP_INTERVAL", "often")
	args := []string{"serve", "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0"}
	out, errOut, code := cliRun(t, "", args...)
	wantOneLineError(t, args, out, errOut, code, "invalid GENAUTH_SWEEP_INTERVAL")
}
