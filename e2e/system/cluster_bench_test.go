package system

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/testkit/blackbox"
)

// BenchmarkCluster measures token issuance (client_credentials) and
// introspection against one and two `genauth serve` processes on one
// PostgreSQL database, requests spread round-robin over the nodes. Bound the
// work with a request count, for example:
//
//	go test ./e2e/system -run '^$' -bench Cluster -benchtime 3000x
//
// It reports req/s; it asserts nothing about speed.
func BenchmarkCluster(b *testing.B) {
	for _, nodes := range []int{1, 2} {
		b.Run(map[int]string{1: "nodes=1", 2: "nodes=2"}[nodes], func(b *testing.B) {
			ctx, cancel := context.WithTimeout(b.Context(), 10*time.Minute)
			defer cancel()
			bin := buildGenauth(b, ctx)
			dbURL := pgtest.NewDatabase(b)
			mustRun(b, "", "migrate", "--database", dbURL)
			app := createApp(b, "--database", dbURL, "--name", "bench",
				"--redirect-uri", demoRedirectURI, "--grant", "client_credentials")
			var urls []string
			for _, name := range []string{"A", "B"}[:nodes] {
				urls = append(urls, startNode(b, ctx, bin, name, dbURL).url)
			}
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
			creds := url.Values{"client_id": {app.AppID}, "client_secret": {app.AppSecret}}
			post := func(base, path string, form url.Values) []byte {
				resp, err := client.PostForm(base+path, form)
				if err != nil {
					b.Error(err)
					return nil
				}
				defer resp.Body.Close()
				var buf bytes.Buffer
				buf.ReadFrom(resp.Body)
				if resp.StatusCode != http.StatusOK {
					b.Errorf("POST %s: %d %s", path, resp.StatusCode, strings.TrimSpace(buf.String()))
				}
				return buf.Bytes()
			}
			issue := url.Values{"grant_type": {"client_credentials"}}
			for k, v := range creds {
				issue[k] = v
			}
			var tok blackbox.TokenResponse
			if err := json.Unmarshal(post(urls[0], "/oauth/token", issue), &tok); err != nil || tok.AccessToken == "" {
				b.Fatalf("issuing a token: %v", err)
			}
			introspect := url.Values{"token": {tok.AccessToken}}
			for k, v := range creds {
				introspect[k] = v
			}
			for _, op := range []struct {
				name, path string
				form       url.Values
			}{
				{"issue", "/oauth/token", issue},
				{"introspect", "/oauth/token/introspection", introspect},
			} {
				b.Run(op.name, func(b *testing.B) {
					var next atomic.Uint64
					b.SetParallelism(8)
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							post(urls[next.Add(1)%uint64(len(urls))], op.path, op.form)
						}
					})
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
				})
			}
		})
	}
}
