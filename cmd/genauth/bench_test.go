package main

import (
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/store/sqlite"
	"github.com/opengenauth/genauth/internal/testkit/blackbox"
)

// TestBenchServesServeStack: what `genauth bench` measures is what `genauth
// serve` runs with its defaults: answers carry a request id, every request
// is logged at info with it, security events are logged as audit lines,
// and password hashing is bounded.
func TestBenchServesServeStack(t *testing.T) {
	var logs blackbox.LockedBuffer
	op, err := defaultOps().start(&logs)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "bench.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	app, appSecret, err := appService(st).Create(t.Context(), apps.CreateParams{Name: "bench",
		RedirectURIs: []string{demoRedirectURI}, GrantTypes: []string{model.GrantClientCredentials}})
	if err != nil {
		t.Fatal(err)
	}
	stack, httpServer := benchServer(op)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	key := make([]byte, secret.KeyLen)
	rand.Read(key)
	h, stop, err := stack(st, base, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httpServer(h)
	if srv.ReadHeaderTimeout != serveLimits.readHeader || srv.WriteTimeout != serveLimits.write {
		t.Errorf("bench's http.Server has timeouts %v/%v, serve's are %v/%v", srv.ReadHeaderTimeout, srv.WriteTimeout, serveLimits.readHeader, serveLimits.write)
	}
	go srv.Serve(ln)
	defer func() { srv.Shutdown(context.Background()); stop() }()

	resp, err := http.PostForm(base+"/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {app.ID}, "client_secret": {appSecret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != http.StatusOK || id == "" {
		t.Fatalf("token: %d, X-Request-Id %q; want 200 with a request id", resp.StatusCode, id)
	}
	stop() // writes the audit trail's last batch
	log := logs.String()
	for _, want := range []string{
		`level=INFO msg=request method=POST route=/oauth/token`,
		`level=INFO msg=audit event=token.issue`,
		`request_id=` + id,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the bench server's log lacks %q:\n%s", want, log)
		}
	}
	if op.hashing == nil || op.hashing.Concurrency() < 1 {
		t.Error("the bench server's password hashing is not bounded")
	}
}
