package system

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/testkit/blackbox"
)

// Phases of the backup test, as a writer saw them when it sent a request.
const (
	beforeBackup = iota
	duringBackup
	afterBackup
)

// issued is a token a writer got, with the phase its request was sent in
// and the phase its answer arrived in.
type issued struct {
	value      string
	sent, done int32
}

// TestBackupUnderLoadAndRestore takes `genauth backup` while four clients
// keep getting tokens from the running server (another process, as on a
// real machine), then restores it over the database. The restored database passes integrity_check and holds every
// token answered before the backup began and none asked for after it
// ended; a server started on it answers them active and inactive to match.
func TestBackupUnderLoadAndRestore(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), clusterTimeout)
	defer cancel()
	bin := buildGenauth(t, ctx)
	dir := filepath.Join(t.TempDir(), "data")
	appID, appSecret := sqliteSetup(t, dir)
	srv := startSQLiteNode(t, ctx, bin, "backed up", dir)
	var (
		phase   atomic.Int32
		mu      sync.Mutex
		tokens  []issued
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		errs    = make(chan error, 4)
		counted = make(chan struct{}, 1<<16)
	)
	creds := url.Values{"client_id": {appID}, "client_secret": {appSecret}, "grant_type": {"client_credentials"}}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				sent := phase.Load()
				status, body, err := tryPostForm(srv.url, "/oauth/token", creds)
				if err != nil || status != http.StatusOK {
					errs <- errors.Join(err, errors.New(string(body)))
					return
				}
				var tok blackbox.TokenResponse
				if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
					errs <- errors.Join(err, errors.New(string(body)))
					return
				}
				mu.Lock()
				tokens = append(tokens, issued{tok.AccessToken, sent, phase.Load()})
				mu.Unlock()
				select {
				case counted <- struct{}{}:
				default: // wake-ups are pending anyway
				}
			}
		}()
	}
	// awaitTokens waits for n tokens asked for in phase p.
	awaitTokens := func(p int32, n int) {
		for {
			mu.Lock()
			got := 0
			for _, tok := range tokens {
				if tok.sent == p {
					got++
				}
			}
			mu.Unlock()
			if got >= n {
				return
			}
			select {
			case <-counted:
			case err := <-errs:
				t.Fatalf("writer: %v", err)
			}
		}
	}
	awaitTokens(beforeBackup, 40)
	backup := filepath.Join(t.TempDir(), "backup.db")
	phase.Store(duringBackup)
	out := mustRun(t, "", "backup", "--data-dir", dir, "--to", backup)
	phase.Store(afterBackup)
	awaitTokens(afterBackup, 20)
	close(stop)
	wg.Wait()
	if !strings.Contains(out, "Backed up") || !strings.Contains(out, "secret.key") {
		t.Errorf("backup said %q", out)
	}
	if info, err := os.Stat(backup); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, mode %v; want 0600", err, info.Mode())
	}
	if code := srv.stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, srv.stderr())
	}

	out = mustRun(t, "", "restore", "--data-dir", dir, "--from", backup)
	if !strings.Contains(out, "Kept the previous database as ") {
		t.Errorf("restore said %q", out)
	}
	integrityCheck(t, dir)
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	var present, absent []string
	var before, after int
	for _, tok := range tokens {
		_, err := st.GetToken(context.Background(), token.Hash(tok.value))
		switch {
		case tok.done == beforeBackup:
			before++
			if err != nil {
				t.Errorf("token answered before the backup began: %v in the restored database", err)
			}
			present = append(present, tok.value)
		case tok.sent == afterBackup:
			after++
			if !errors.Is(err, model.ErrNotFound) {
				t.Errorf("token asked for after the backup ended: found in the restored database (err %v)", err)
			}
			absent = append(absent, tok.value)
		}
	}
	st.Close()
	if before < 30 || after < 20 {
		t.Fatalf("%d tokens before the backup, %d after; the load did not run around it", before, after)
	}

	srv = startSQLiteNode(t, ctx, bin, "restored", dir)
	c := &flowClient{base: srv.url, clientID: appID, secret: appSecret, api: apiClient}
	for _, list := range []struct {
		tokens []string
		active bool
	}{{present[:5], true}, {absent[:1], false}} {
		for _, tok := range list.tokens {
			got, err := c.introspect(tok)
			if err != nil || got.Active != list.active {
				t.Errorf("introspect after restore: %+v, %v; want active %v", got, err, list.active)
			}
		}
	}
}
