//go:build unix

package main

import (
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTLSServedAndReloaded serves HTTPS from generated certificate files,
// replaces the files and sends SIGHUP: new connections get the new
// certificate, a connection opened before keeps working, the expiry gauge
// follows, and a broken file on the next SIGHUP leaves the new certificate
// in service.
func TestTLSServedAndReloaded(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	now := time.Now()
	certFile, keyFile, certA := testCert(t, dir, "a", now.Add(-time.Hour), now.Add(30*24*time.Hour))
	srv := startOps(t, data, "--tls-cert", certFile, "--tls-key", keyFile, "--metrics-addr", "127.0.0.1:0",
		"--public-url", "https://localhost")
	if !strings.HasPrefix(srv.base, "https://") {
		t.Fatalf("serve listens on %s, want https", srv.base)
	}
	_, _, certB := testCert(t, dir, "b", now.Add(-time.Hour), now.Add(60*24*time.Hour))

	// kept is one connection, opened before the reload and reused after it.
	kept := &http.Client{Transport: tlsTransport(certA, certB), Timeout: 30 * time.Second}
	if serial, reused := served(t, kept, srv.base); serial != certA.SerialNumber.String() || reused {
		t.Fatalf("first request: certificate %s (reused %v), want A %s", serial, reused, certA.SerialNumber)
	}
	series, _ := scrape(t, srv.metrics)
	if got := series["genauth_tls_certificate_expiry_timestamp_seconds"]; got != float64(certA.NotAfter.Unix()) {
		t.Errorf("expiry gauge %v, want A's %d", got, certA.NotAfter.Unix())
	}

	replace(t, filepath.Join(dir, "b.crt"), certFile)
	replace(t, filepath.Join(dir, "b.key"), keyFile)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// The reload happens on the server's goroutine: wait for its log line.
	waitFor(t, func() bool { return strings.Contains(srv.stderr.String(), "TLS certificate reloaded") })
	fresh := &http.Client{Transport: tlsTransport(certA, certB), Timeout: 30 * time.Second}
	if serial, _ := served(t, fresh, srv.base); serial != certB.SerialNumber.String() {
		t.Errorf("new connection after SIGHUP: certificate %s, want B %s", serial, certB.SerialNumber)
	}
	if serial, reused := served(t, kept, srv.base); !reused || serial != certA.SerialNumber.String() {
		t.Errorf("the connection opened before the reload: reused %v, certificate %s; want it kept, with A", reused, serial)
	}
	series, _ = scrape(t, srv.metrics)
	if got := series["genauth_tls_certificate_expiry_timestamp_seconds"]; got != float64(certB.NotAfter.Unix()) {
		t.Errorf("expiry gauge %v after the reload, want B's %d", got, certB.NotAfter.Unix())
	}

	// A half-written key file: the reload fails and B stays.
	if err := os.WriteFile(keyFile, []byte("-----BEGIN PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(srv.stderr.String(), "TLS certificate not reloaded") })
	again := &http.Client{Transport: tlsTransport(certA, certB), Timeout: 30 * time.Second}
	if serial, _ := served(t, again, srv.base); serial != certB.SerialNumber.String() {
		t.Errorf("after a failed reload: certificate %s, want B %s still", serial, certB.SerialNumber)
	}
	if code := srv.stop(); code != 0 {
		t.Errorf("serve exited with %d", code)
	}
}

// served gets /healthz and returns the serial of the certificate the
// connection presented and whether the connection was reused.
func served(t *testing.T, c *http.Client, base string) (serial string, reused bool) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
	}))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s/healthz: %v", base, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("GET /healthz: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	return resp.TLS.PeerCertificates[0].SerialNumber.String(), reused
}

func replace(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds; the bound is only against a hang.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached within a minute")
}
