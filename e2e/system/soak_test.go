package system

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/testkit/blackbox"
)

// soakDuration is how long TestSoak drives traffic: about a minute in CI
// (CI=true) or with GENAUTH_SOAK=1, ten seconds otherwise.
func soakDuration() time.Duration {
	if os.Getenv("CI") == "true" || os.Getenv("GENAUTH_SOAK") == "1" {
		return time.Minute
	}
	return 10 * time.Second
}

// soakLeakMargin is how much more resident memory the last third of the
// soak may peak at than the first third: a leak check, generous enough for
// the garbage collector's and SQLite's caches to settle.
const soakLeakMargin = 50 << 20

// soakTally counts what one worker did and what went wrong.
type soakTally struct {
	ops      map[string]int
	failures []string
	server5x int
}

func (s *soakTally) fail(op string, err error) {
	var se *statusError
	if errors.As(err, &se) && se.status >= 500 {
		s.server5x++
	}
	if len(s.failures) < 5 {
		s.failures = append(s.failures, op+": "+err.Error())
	}
}

// TestSoak drives the real server on SQLite with 64 concurrent clients of
// mixed traffic (introspection, userinfo, rotating refreshes followed
// token by token, client_credentials, code flows on an existing session,
// revocations) for a bounded time: every answer must be the right one (no
// 5xx, no wrong status or body), and the server's resident memory must not
// keep growing.
func TestSoak(t *testing.T) {
	if _, err := procKB(os.Getpid(), "VmRSS"); err != nil {
		t.Skipf("no /proc to read memory from: %v", err)
	}
	const (
		workers  = 64
		browsers = 8 // signed-in browser sessions, shared by the workers
	)
	duration := soakDuration()
	ctx, cancel := context.WithTimeout(t.Context(), duration+clusterTimeout)
	defer cancel()
	bin := buildGenauth(t, ctx)
	dir := t.TempDir()
	clientID, secret := sqliteSetup(t, dir)
	n := startSQLiteNode(t, ctx, bin, "soak", dir)

	transport := &http.Transport{MaxConnsPerHost: workers, MaxIdleConnsPerHost: workers}
	t.Cleanup(transport.CloseIdleConnections)
	api := &http.Client{Transport: transport, Timeout: 30 * time.Second, CheckRedirect: apiClient.CheckRedirect}
	sessions := make([]*flowClient, browsers)
	for i := range sessions {
		sessions[i] = newFlowClient(t, n.url, clientID, secret, api)
	}
	first, err := sessions[0].codeFlow("setup")
	if err != nil {
		t.Fatal(err)
	}
	who, err := sessions[0].introspect(first.AccessToken)
	if err != nil || !who.Active || who.Sub == "" {
		t.Fatalf("introspecting the first token: %+v, %v", who, err)
	}
	sub := who.Sub

	// Memory is sampled every second while the traffic runs.
	var samples []int64
	sampled := make(chan struct{})
	stopSampling := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
				if v, err := procKB(n.cmd.Process.Pid, "VmRSS"); err == nil {
					samples = append(samples, v)
				}
			}
		}
	}()

	end := time.Now().Add(duration)
	tallies := make([]soakTally, workers)
	var wg sync.WaitGroup
	for w := range workers {
		tally := &tallies[w]
		tally.ops = map[string]int{}
		c := sessions[w%browsers]
		rng := rand.New(rand.NewPCG(uint64(w), 1))
		wg.Go(func() {
			var cur blackbox.TokenResponse // the worker's live grant: its access and newest refresh token
			flows := 0
			newGrant := func() bool {
				flows++
				tally.ops["code_flow"]++
				tok, err := c.codeFlow(fmt.Sprintf("w%d-%d", w, flows))
				if err != nil {
					tally.fail("code_flow", err)
					return false
				}
				cur = tok
				return true
			}
			if !newGrant() {
				return
			}
			for time.Now().Before(end) && ctx.Err() == nil {
				switch op := rng.IntN(100); {
				case op < 30:
					tally.ops["introspect"]++
					got, err := c.introspect(cur.AccessToken)
					if err == nil && (!got.Active || got.Sub != sub || got.ClientID != clientID) {
						err = fmt.Errorf("a live access token introspects as %+v", got)
					}
					if err != nil {
						tally.fail("introspect", err)
					}
				case op < 50:
					tally.ops["userinfo"]++
					if err := userinfo(api, n.url, cur.AccessToken, sub); err != nil {
						tally.fail("userinfo", err)
					}
				case op < 70:
					tally.ops["refresh"]++
					tok, err := c.refresh(cur.RefreshToken)
					if err != nil {
						tally.fail("refresh", err)
						continue
					}
					cur = tok
				case op < 85:
					tally.ops["client_credentials"]++
					if _, err := c.clientCredentials(); err != nil {
						tally.fail("client_credentials", err)
					}
				case op < 95:
					if !newGrant() {
						return
					}
				default:
					tally.ops["revoke"]++
					if err := revokeGrant(c, cur); err != nil {
						tally.fail("revoke", err)
					}
					if !newGrant() {
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(stopSampling)
	<-sampled

	total := map[string]int{}
	var failures []string
	server5x := 0
	for _, tl := range tallies {
		for op, k := range tl.ops {
			total[op] += k
		}
		failures = append(failures, tl.failures...)
		server5x += tl.server5x
	}
	t.Logf("%s at %d clients: %v", duration, workers, total)
	if server5x > 0 {
		t.Errorf("%d answers were 5xx", server5x)
	}
	if len(failures) > 0 {
		t.Errorf("%d wrong answers, among them:\n%s", len(failures), strings.Join(failures[:min(len(failures), 10)], "\n"))
	}
	for _, op := range []string{"introspect", "userinfo", "refresh", "client_credentials", "code_flow", "revoke"} {
		if total[op] == 0 {
			t.Errorf("no %s was run", op)
		}
	}

	if len(samples) < 3 {
		t.Fatalf("only %d memory samples", len(samples))
	}
	third := len(samples) / 3
	early, late := slices.Max(samples[:third]), slices.Max(samples[len(samples)-third:])
	t.Logf("server RSS: first third peaks at %d MiB, last third at %d MiB (%d samples)", early>>20, late>>20, len(samples))
	if late-early > soakLeakMargin {
		t.Errorf("the server's memory grew from %d MiB to %d MiB over the soak", early>>20, late>>20)
	}
}

// userinfo checks that tok reads alice's profile.
func userinfo(api *http.Client, base, tok, sub string) error {
	req, err := http.NewRequest(http.MethodGet, base+"/oauth/me", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := api.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var v struct {
		Sub string `json:"sub"`
	}
	if resp.StatusCode != http.StatusOK {
		return &statusError{resp.StatusCode, ""}
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.Sub != sub {
		return fmt.Errorf("userinfo: sub %q, %v; want %q", v.Sub, err, sub)
	}
	return nil
}

// revokeGrant revokes the grant's refresh token; its access token must then
// be inactive too.
func revokeGrant(c *flowClient, g blackbox.TokenResponse) error {
	var ok bool
	if err := c.post("/oauth/token/revocation", url.Values{"token": {g.RefreshToken}}, &ok); err != nil || !ok {
		return fmt.Errorf("revocation answered %v, %v", ok, err)
	}
	for _, tok := range []string{g.RefreshToken, g.AccessToken} {
		got, err := c.introspect(tok)
		if err != nil || got.Active {
			return fmt.Errorf("a token of a revoked grant introspects as %+v, %v", got, err)
		}
	}
	return nil
}
