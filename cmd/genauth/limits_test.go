package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// TestServeLimits checks that `genauth serve` bounds every phase of a
// connection and the size of request headers.
func TestServeLimits(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout,
		"ReadTimeout":       srv.ReadTimeout,
		"WriteTimeout":      srv.WriteTimeout,
		"IdleTimeout":       srv.IdleTimeout,
	} {
		if d <= 0 || d > 5*time.Minute {
			t.Errorf("%s = %s, want a bound of at most 5 minutes", name, d)
		}
	}
	if srv.ReadHeaderTimeout > srv.ReadTimeout {
		t.Errorf("ReadHeaderTimeout %s exceeds ReadTimeout %s", srv.ReadHeaderTimeout, srv.ReadTimeout)
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 64<<10 {
		t.Errorf("MaxHeaderBytes = %d, want at most 64 KiB", srv.MaxHeaderBytes)
	}
}

// closedBound is how long a test waits for the server to drop a client. It
// is far above the limits below: the test asserts only that it happens.
const closedBound = 30 * time.Second

// TestSlowClientsAreCutOff runs the real handler behind the serve command's
// http.Server with short limits, and plays clients that hold a connection
// without finishing their request: each is disconnected by the server.
func TestSlowClientsAreCutOff(t *testing.T) {
	limits := httpLimits{
		readHeader:     300 * time.Millisecond,
		read:           600 * time.Millisecond,
		write:          5 * time.Second,
		idle:           300 * time.Millisecond,
		maxHeaderBytes: 4 << 10,
	}
	addr := startLimitedServer(t, limits)

	dial := func(t *testing.T) net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// waitClosed reads whatever the server still sends until it closes the
	// connection, and returns what it sent.
	waitClosed := func(t *testing.T, c net.Conn) string {
		t.Helper()
		if err := c.SetReadDeadline(time.Now().Add(closedBound)); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the server kept the connection open for %s", closedBound)
		}
		return string(got)
	}
	write := func(t *testing.T, c net.Conn, s string) {
		t.Helper()
		if _, err := io.WriteString(c, s); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("partial header then silence", func(t *testing.T) {
		c := dial(t)
		write(t, c, "GET /healthz HTTP/1.1\r\nHost: genauth.test\r\nX-Slow: ")
		if got := waitClosed(t, c); strings.Contains(got, "200 OK") {
			t.Errorf("an unfinished request was served: %q", got)
		}
	})
	t.Run("header trickled a byte at a time", func(t *testing.T) {
		c := dial(t)
		write(t, c, "GET /healthz HTTP/1.1\r\nHost: genauth.test\r\n")
		closed := make(chan string)
		go func() { closed <- waitClosed(t, c) }()
		// Each byte would reset a per-read timeout; the header deadline is
		// absolute, so the trickle ends when the server hangs up.
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(closedBound)
		for {
			select {
			case got := <-closed:
				if strings.Contains(got, "200 OK") {
					t.Errorf("an unfinished request was served: %q", got)
				}
				return
			case <-deadline:
				t.Fatalf("the server accepted a trickled header for %s", closedBound)
			case <-tick.C:
				_, _ = io.WriteString(c, "X") // fails once the server has closed
			}
		}
	})
	t.Run("body stalls", func(t *testing.T) {
		c := dial(t)
		write(t, c, "POST /oauth/token HTTP/1.1\r\nHost: genauth.test\r\n"+
			"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ngrant_type=")
		got := waitClosed(t, c)
		if got != "" && !strings.HasPrefix(got, "HTTP/1.1 400 ") {
			t.Errorf("a stalled body got %q, want the connection closed (or a 400)", got)
		}
	})
	t.Run("idle keep-alive connection", func(t *testing.T) {
		c := dial(t)
		write(t, c, "GET /healthz HTTP/1.1\r\nHost: genauth.test\r\n\r\n")
		r := bufio.NewReader(c)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
			t.Fatalf("GET /healthz on a fresh connection: %d %q", resp.StatusCode, body)
		}
		// The connection stays open for another request, until it idles too long.
		if err := c.SetReadDeadline(time.Now().Add(closedBound)); err != nil {
			t.Fatal(err)
		}
		if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
			t.Errorf("idle connection: read %q, %v; want it closed by the server", rest, err)
		}
	})
	t.Run("oversized header", func(t *testing.T) {
		c := dial(t)
		write(t, c, "GET /healthz HTTP/1.1\r\nHost: genauth.test\r\nX-Big: "+strings.Repeat("a", 8<<10)+"\r\n\r\n")
		if got := waitClosed(t, c); !strings.HasPrefix(got, "HTTP/1.1 431 ") {
			t.Errorf("an 8 KiB header over a 4 KiB limit got %.80q, want 431", got)
		}
	})
	t.Run("a prompt client is served", func(t *testing.T) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, []byte("ok\n")) {
			t.Errorf("GET /healthz: %d %q", resp.StatusCode, body)
		}
	})
}

// startLimitedServer serves GenAuth's handler on a fresh SQLite database
// behind the serve command's http.Server with the given limits.
func startLimitedServer(t *testing.T, limits httpLimits) string {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	h, err := server.New(server.Config{PublicURL: "http://genauth.test", Store: st, Logger: logger,
		SecretKey: bytes.Repeat([]byte{7}, secret.KeyLen)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runHTTP(ctx, newLimitedHTTPServer(h, logger, limits), ln, logger, time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server stopped with %v", err)
		}
	})
	return ln.Addr().String()
}
