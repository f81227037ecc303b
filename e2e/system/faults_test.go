package system

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Fault tests: the real binary under a token load while its database goes
// away and comes back. Loopback only, bounded in time.

// faultTimeout bounds each fault test, processes included.
const faultTimeout = 3 * time.Minute

// TestPostgresRestartUnderLoad restarts a private PostgreSQL server (about
// 3 seconds down) under a client_credentials load on `genauth serve`: every
// answer is 200 or 503 with Retry-After and temporarily_unavailable, never
// a 500; every token answered 200 is active afterwards; service resumes;
// and the log has one line per change of the database's state.
func TestPostgresRestartUnderLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), faultTimeout)
	defer cancel()
	pg := startPrivatePostgres(t, ctx)
	bin := buildGenauth(t, ctx)
	mustRun(t, "", "migrate", "--database", pg.dbURL)
	clientID, secret := clusterApp(t, pg.dbURL)
	n, err := runNode(t, ctx, bin, "pg", []string{"GENAUTH_SECRET_KEY=" + clusterSecret},
		"--data-dir", t.TempDir(), "--database", pg.dbURL, "--sweep-interval", "0")
	if err != nil {
		t.Fatal(err)
	}
	load := startTokenLoad(n.url, clientID, secret, 8)
	load.waitFor(t, "200", 50, time.Minute)
	pg.stop(ctx)
	time.Sleep(3 * time.Second) // the outage
	pg.start(ctx)
	load.waitFor(t, "200", 50, time.Minute)
	load.finish(t, n.url, clientID, secret)
	waitReady(t, n.url, time.Minute)
	checkOutageLog(t, n, 10*time.Second)
}

// TestSQLiteDiskFullUnderLoad fills the file system holding the SQLite
// database (a small tmpfs the test mounts, so it runs as root, as CI does)
// under a client_credentials load, then frees it: writes are answered 503
// with Retry-After while the disk is full, never 500; service resumes once
// there is space; every token answered 200 is active afterwards; the log
// has one line per change of state; the database passes integrity_check.
func TestSQLiteDiskFullUnderLoad(t *testing.T) {
	if os.Geteuid() != 0 {
		skipOrFail(t, "filling a real file system needs a tmpfs, which only root can mount")
	}
	ctx, cancel := context.WithTimeout(t.Context(), faultTimeout)
	defer cancel()
	bin := buildGenauth(t, ctx)
	mnt := filepath.Join(t.TempDir(), "fs")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.CommandContext(ctx, "mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt).CombinedOutput(); err != nil {
		skipOrFail(t, "mounting a tmpfs: "+err.Error()+": "+string(out))
	}
	// Registered first, so it runs last: after the server is killed.
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", mnt, err, out)
		}
	})
	dir := filepath.Join(mnt, "data")
	clientID, secret := sqliteSetup(t, dir)
	n := startSQLiteNode(t, ctx, bin, "full", dir)
	load := startTokenLoad(n.url, clientID, secret, 8)
	load.waitFor(t, "200", 50, time.Minute)
	filler := filepath.Join(mnt, "filler")
	if err := fillDisk(filler); err != nil {
		t.Fatal(err)
	}
	load.waitFor(t, "503", 50, time.Minute)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	load.waitFor(t, "200", 50, time.Minute)
	load.finish(t, n.url, clientID, secret)
	waitReady(t, n.url, time.Minute)
	checkOutageLog(t, n, 10*time.Second)
	integrityCheck(t, dir)
}
