package postgres_test

import (
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/pgtest"
	"github.com/opengenauth/genauth/internal/store/postgres"
)

// TestReadOnlyIsUnavailable: a server that refuses writes (a standby, or
// default_transaction_read_only as set against a filling disk) answers
// reads, and every write, CheckWrite included, is genauth.ErrUnavailable.
func TestReadOnlyIsUnavailable(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	openURL(t, dbURL) // migrated
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("default_transaction_read_only", "on") // a run-time parameter, as pgx passes unknown ones
	u.RawQuery = q.Encode()
	ro, err := postgres.Open(t.Context(), u.String(), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if _, err := ro.GetToken(t.Context(), "nothing"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("a read: %v, want ErrNotFound", err)
	}
	if err := ro.CheckWrite(t.Context()); !errors.Is(err, model.ErrUnavailable) {
		t.Errorf("CheckWrite: %v, want ErrUnavailable", err)
	}
	if err := ro.CreateTokens(t.Context(), &model.Token{Hash: "h", ID: "i", Kind: model.TokenAccess, GrantID: "g",
		ClientID: "c", UserID: "u", Protocol: model.ProtocolOAuth, IssuedAt: time.Now(), ExpiresAt: time.Now()}); !errors.Is(err, model.ErrUnavailable) {
		t.Errorf("CreateTokens: %v, want ErrUnavailable", err)
	}
}

// TestUnreachableIsUnavailable runs the store through a loopback proxy to
// the test server and cuts it: broken and refused connections are
// genauth.ErrUnavailable, and the store works again once the proxy is back.
// The shared server itself is never stopped.
func TestUnreachableIsUnavailable(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, u.Host)
	u.Host = p.addr
	s := openURL(t, u.String())
	ctx := t.Context()
	if err := s.CheckWrite(ctx); err != nil {
		t.Fatalf("through the proxy: %v", err)
	}
	p.cut()
	for _, op := range []struct {
		name string
		fn   func() error
	}{
		{"Ping", func() error { return s.Ping(ctx) }},
		{"GetToken", func() error { _, err := s.GetToken(ctx, "x"); return err }},
		{"CheckWrite", func() error { return s.CheckWrite(ctx) }},
	} {
		if err := op.fn(); !errors.Is(err, model.ErrUnavailable) {
			t.Errorf("%s while unreachable: %v, want ErrUnavailable", op.name, err)
		}
	}
	p.resume()
	if err := s.CheckWrite(ctx); err != nil {
		t.Errorf("CheckWrite after the proxy is back: %v", err)
	}
}

// proxy forwards loopback connections to a PostgreSQL server; cut closes
// every connection and refuses new ones until resume.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) resume() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("listening again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}
