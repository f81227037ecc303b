package tlsreload

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writePair writes a self-signed certificate for 127.0.0.1 and its key to
// cert and key and returns the certificate.
func writePair(t *testing.T, cert, key string, serial int64) *x509.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Duration(serial) * 24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, BasicConstraintsValid: true, IsCA: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// handshake connects to addr and returns the serial of the certificate served.
func handshake(t *testing.T, addr string, roots *x509.CertPool) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// TestReload: a reload serves the new pair from the next handshake; a
// broken pair is refused and the served one stays.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	first := writePair(t, certFile, keyFile, 1)
	c, err := Load(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", c.Config())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { conn.(*tls.Conn).Handshake(); conn.Close() }()
		}
	}()
	roots := x509.NewCertPool()
	roots.AddCert(first)
	if got := handshake(t, ln.Addr().String(), roots); got != 1 || !c.NotAfter().Equal(first.NotAfter) {
		t.Fatalf("served serial %d, not after %v; want 1, %v", got, c.NotAfter(), first.NotAfter)
	}
	second := writePair(t, certFile, keyFile, 2)
	roots.AddCert(second)
	if err := c.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := handshake(t, ln.Addr().String(), roots); got != 2 || !c.NotAfter().Equal(second.NotAfter) {
		t.Fatalf("after Reload: serial %d, not after %v; want 2, %v", got, c.NotAfter(), second.NotAfter)
	}
	// A key that is not the certificate's.
	writePair(t, filepath.Join(dir, "other.pem"), keyFile, 3)
	if err := c.Reload(); err == nil {
		t.Fatal("Reload accepted a key of another certificate")
	}
	if got := handshake(t, ln.Addr().String(), roots); got != 2 {
		t.Fatalf("after a failed Reload: serial %d, want 2 still", got)
	}
	if _, err := Load(filepath.Join(dir, "missing.pem"), keyFile); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}
