package secret

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeyLen)
	s, err := NewSealer(key, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal("signing key", []byte("private"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("private")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := s.Open("signing key", sealed)
	if err != nil || string(got) != "private" {
		t.Fatalf("Open = %q, %v; want private", got, err)
	}
	other, _ := NewSealer(bytes.Repeat([]byte{8}, KeyLen), rand.Reader)
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	for name, open := range map[string]func() ([]byte, error){
		"other purpose": func() ([]byte, error) { return s.Open("access key", sealed) },
		"other key":     func() ([]byte, error) { return other.Open("signing key", sealed) },
		"tampered":      func() ([]byte, error) { return s.Open("signing key", tampered) },
		"truncated":     func() ([]byte, error) { return s.Open("signing key", sealed[:5]) },
	} {
		if _, err := open(); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: err = %v; want ErrDecrypt", name, err)
		}
	}
	if _, err := NewSealer([]byte("short"), rand.Reader); err == nil {
		t.Error("NewSealer accepted a short key")
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secret.key")
	first, err := LoadOrCreateKeyFile(path, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v; want 0600", info.Mode().Perm())
	}
	again, err := LoadOrCreateKeyFile(path, rand.Reader)
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("second load = %x, %v; want the same key %x", again, err, first)
	}
	bad := filepath.Join(t.TempDir(), "bad.key")
	if err := os.WriteFile(bad, []byte("not hex"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKeyFile(bad, rand.Reader); err == nil {
		t.Error("a malformed key file was accepted")
	}
}
