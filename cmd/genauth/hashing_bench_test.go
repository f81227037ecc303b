package main

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
// past a gigabyte. Every answer must be a success (303), a refusal (503 with
// Retry-After) or a lockout (429) (for unknown logins: 401 instead of a
// success), and the peak must stay under 300 MB:
//
//	go test ./cmd/genauth -run '^$' -bench SignInMemory -benchtime 3x
//
// "correct" signs alice in with her password; "unknown" tries logins that
// do not exist, each hashing the dummy password.
func BenchmarkSignInMemory(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skipf("no /proc to read memory from: %v", err)
	}
	for _, sc := range []struct {
		name  string
		burst int
		login func(i int) (username, password string)
		want  string // the answer when not refused
	}{
		{"correct-100", 100, func(int) (string, string) { return "alice", "correct horse battery" }, "303"},
		{"unknown-150", 150, func(i int) (string, string) { return fmt.Sprintf("nobody%d", i), "wrong password" }, "401"},
	} {
		b.Run(sc.name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(b.Context(), 10*time.Minute)
			defer cancel()
			bin := buildGenauth(b, ctx)
			dir := b.TempDir()
			for _, args := range [][]string{{"migrate", "--data-dir", dir},
				{"user", "create", "--data-dir", dir, "--username", "alice", "--password-stdin"}} {
				var out, errOut strings.Builder
				if code := run(ctx, args, strings.NewReader("correct horse battery\n"), &out, &errOut); code != 0 {
					b.Fatalf("genauth %s: %s", args[0], errOut.String())
				}
			}
			n, err := runNode(b, ctx, bin, "signin", nil, "--data-dir", dir, "--sweep-interval", "0", "--log-level", "warn")
			if err != nil {
				b.Fatal(err)
			}
			client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: sc.burst},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			statuses := map[string]int{}
			var mu sync.Mutex
			b.ResetTimer()
			for range b.N {
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range sc.burst {
					wg.Go(func() {
						<-start
						user, pw := sc.login(i)
						got := signIn(client, n.url, user, pw)
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
				case sc.want, "429", "503+Retry-After":
				default:
					b.Errorf("%d sign-ins answered %s; want %s, 429 or 503 with Retry-After", statuses[k], k, sc.want)
				}
			}
			if peak > peakRSSLimit {
				b.Errorf("peak RSS %.0f MB, want under %d MB", float64(peak)/(1<<20), peakRSSLimit>>20)
			}
		})
	}
}

// signIn posts the sign-in form and returns the status, with "+Retry-After"
// for a 503 that carries the header, or the transport error.
func signIn(c *http.Client, base, username, password string) string {
	resp, err := c.PostForm(base+"/login", url.Values{"username": {username}, "password": {password}})
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
