package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options say how the server speaks.
type Options struct {
	// TLS: "" plain, "starttls" offers STARTTLS, "implicit" is TLS from the
	// first byte.
	TLS string
	// User and Password, when set, require AUTH PLAIN with them.
	User, Password string
	// Addr is where to listen; "" picks a free loopback port.
	Addr string
}

// Message is one message received.
type Message struct {
	From, To    string
	Subject     string
	Text, HTML  string // the decoded parts
	ContentType string // of the whole message
	TLS, Authed bool   // whether the session was encrypted, authenticated
	Header      mail.Header
	Raw         []byte
}

// Server is a running SMTP server; it stops at the end of the test.
type Server struct {
	Addr string
	// Messages receives each message as its DATA completes.
	Messages chan *Message
	// CertPool trusts the server's certificate; CertFile holds it in PEM
	// (for SSL_CERT_FILE of a child process).
	CertPool *x509.CertPool
	CertFile string
	srv      *smtp.Server
	dir      string // holds CertFile
}

// Start starts a server with opts; it stops at the end of the test.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// New starts a server with opts, for a program that is not a test (the
// browser tests' environment); Close stops it.
func New(opts Options) (_ *Server, err error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), Messages: make(chan *Message, 100)}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, opts: opts, conn: c}, nil
	}))
	srv.Domain = "localhost"
	// Failed sessions are what some tests make; their outcome is asserted.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.AllowInsecureAuth = opts.TLS == ""
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	if opts.TLS != "" {
		cert, pool, pemBytes, err := makeCert()
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.CertPool = pool
		if s.dir, err = os.MkdirTemp("", "smtptest-"); err != nil {
			ln.Close()
			return nil, err
		}
		s.CertFile = filepath.Join(s.dir, "smtp-ca.pem")
		if err := os.WriteFile(s.CertFile, pemBytes, 0o600); err != nil {
			ln.Close()
			os.RemoveAll(s.dir)
			return nil, err
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if opts.TLS == "implicit" {
			ln = tls.NewListener(ln, srv.TLSConfig)
		}
	}
	s.srv = srv
	go func() { _ = srv.Serve(ln) }()
	return s, nil
}

// Close stops the server; a test may call it early (the server is down).
func (s *Server) Close() {
	_ = s.srv.Close()
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

type session struct {
	s      *Server
	opts   Options
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}

func (x *session) AuthMechanisms() []string {
	if x.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.opts.User || pass != x.opts.Password {
			return errors.New("invalid credentials")
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.opts.User != "" && !x.authed {
		return errAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		return err
	}
	_, m.TLS = x.conn.TLSConnectionState()
	m.From, m.To, m.Authed = x.from, strings.Join(x.to, ","), x.authed
	x.s.Messages <- m
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// parse reads a message and decodes its text and HTML parts.
func parse(raw []byte) (*Message, error) {
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return nil, err
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return nil, err
	}
	m := &Message{Subject: subject, Header: msg.Header, ContentType: msg.Header.Get("Content-Type")}
	mt, params, err := mime.ParseMediaType(m.ContentType)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		body, err := decode(msg.Body, msg.Header.Get("Content-Transfer-Encoding"))
		m.Text = body
		return m, err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, err
		}
		body, err := decode(p, p.Header.Get("Content-Transfer-Encoding"))
		if err != nil {
			return nil, err
		}
		switch pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); pt {
		case "text/plain":
			m.Text = body
		case "text/html":
			m.HTML = body
		}
	}
}

func decode(r io.Reader, cte string) (string, error) {
	if strings.EqualFold(cte, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

// makeCert makes a self-signed certificate for 127.0.0.1 and localhost.
func makeCert() (tls.Certificate, *x509.CertPool, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool,
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}
