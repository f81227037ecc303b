package system

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// peakRSSLimit is what a burst of sign-ins may take the server to (issue 13 item 3).
const peakRSSLimit = 300 << 20

// BenchmarkSignInMemory sends bursts of concurrent sign-ins to a real
// `genauth serve` process on SQLite and reports the process's peak resident
// memory (VmHWM) and how the sign-ins were answered. Each argon2id
// verification takes 19 MiB; unbounded, a burst of sign-ins took the server
// past a gigabyte. Each sign-in is another user from another address (behind
// a trusted proxy), so that the sign-in throttle, which limits one account
// or one address, leaves every one to the password check. Every answer
// must be the sign-in's own (303; 401 for an unknown login) or a refusal
// (503 with Retry-After), and the peak must stay under 300 MB:
//
//	go test ./e2e/system -run '^$' -bench SignInMemory -benchtime 3x
func BenchmarkSignInMemory(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skipf("no /proc to read memory from: %v", err)
	}
	const password = "correct horse battery"
	for _, sc := range []struct {
		name  string
		burst int
		known bool   // sign in as existing users, else as unknown logins
		want  string // the answer when not refused
	}{
		{"correct-100", 100, true, "303"},
		{"unknown-150", 150, false, "401"},
	} {
		b.Run(sc.name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(b.Context(), 10*time.Minute)
			defer cancel()
			bin := buildGenauth(b, ctx)
			dir := b.TempDir()
			setup := [][]string{{"migrate", "--data-dir", dir}}
			if sc.known {
				for i := range sc.burst {
					setup = append(setup, []string{"user", "create", "--data-dir", dir, "--username", fmt.Sprintf("user%03d", i), "--password-stdin"})
				}
			}
			for _, args := range setup {
				mustRun(b, password+"\n", args...)
			}
			n, err := runNode(b, ctx, bin, "signin", nil, "--data-dir", dir, "--sweep-interval", "0", "--log-level", "warn",
				"--trusted-proxies", "127.0.0.1")
			if err != nil {
				b.Fatal(err)
			}
			client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: sc.burst},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			statuses := map[string]int{}
			var mu sync.Mutex
			b.ResetTimer()
			for round := range b.N {
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range sc.burst {
					wg.Go(func() {
						<-start
						user := fmt.Sprintf("user%03d", i)
						if !sc.known {
							user = fmt.Sprintf("nobody%d-%d", round, i)
						}
						got := signIn(client, n.url, fmt.Sprintf("10.%d.%d.%d", round, i/256, i%256), user, password)
						mu.Lock()
						statuses[got]++
						mu.Unlock()
					})
				}
				close(start)
				wg.Wait()
			}
			b.StopTimer()
			peak, err := procKB(n.cmd.Process.Pid, "VmHWM")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
			var keys []string
			for k, v := range statuses {
				keys = append(keys, k)
				b.ReportMetric(float64(v)/float64(b.N), "answers-"+k+"/op")
			}
			sort.Strings(keys)
			b.Logf("%d rounds of %d concurrent sign-ins: peak RSS %.0f MB; answers %v", b.N, sc.burst, float64(peak)/(1<<20), statuses)
			for _, k := range keys {
				switch k {
				case sc.want, "503+Retry-After":
				default:
					b.Errorf("%d sign-ins answered %s; want %s or 503 with Retry-After", statuses[k], k, sc.want)
				}
			}
			if peak > peakRSSLimit {
				b.Errorf("peak RSS %.0f MB, want under %d MB", float64(peak)/(1<<20), peakRSSLimit>>20)
			}
		})
	}
}

// signIn posts the sign-in form through a proxy that says the client is at
// addr, and returns the status, with "+Retry-After" for a 503 that carries
// the header, or the transport error.
func signIn(c *http.Client, base, addr, username, password string) string {
	req, err := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(url.Values{"username": {username}, "password": {password}}.Encode()))
	if err != nil {
		return "error: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := c.Do(req)
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	s := strconv.Itoa(resp.StatusCode)
	if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "" {
		s += "+Retry-After"
	}
	return s
}

// procKB reads a "kB" line such as VmHWM of process pid's /proc status, in bytes.
func procKB(pid int, field string) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s line", field)
}
