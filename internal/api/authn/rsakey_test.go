package authn

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/secret"
)

type keyStore struct{ k *model.PasswordKey }

func (s *keyStore) CreatePasswordKey(_ context.Context, k *model.PasswordKey) error {
	if s.k != nil {
		return model.ErrConflict
	}
	s.k = k
	return nil
}

func (s *keyStore) GetPasswordKey(context.Context) (*model.PasswordKey, error) {
	if s.k == nil {
		return nil, model.ErrNotFound
	}
	return s.k, nil
}

func TestPasswordKey(t *testing.T) {
	secretKey := bytes.Repeat([]byte{7}, secret.KeyLen)
	sealer, err := secret.NewSealer(secretKey, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	st := &keyStore{}
	first := &PasswordKey{Store: st, Sealer: sealer, Now: time.Now}
	if err := first.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Stored sealed: the private key's encoding is nowhere in the row.
	pkcs8, err := x509.MarshalPKCS8PrivateKey(first.private)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(st.k.SealedPrivate, pkcs8[len(pkcs8)-64:]) {
		t.Fatal("the private key is stored in the clear")
	}
	// Another node loads the same key and opens what the first's public half encrypted.
	second := &PasswordKey{Store: st, Sealer: sealer, Now: time.Now}
	if err := second.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	if second.PublicKey() != first.PublicKey() {
		t.Fatal("a second node made another key")
	}
	c, err := rsa.EncryptPKCS1v15(rand.Reader, &first.private.PublicKey, []byte("pässword"))
	if err != nil {
		t.Fatal(err)
	}
	if pw, err := second.decrypt(c); err != nil || pw != "pässword" {
		t.Fatalf("decrypt: %q, %v", pw, err)
	}
	// A ciphertext that does not open gives a password, different each time.
	a, _ := second.decrypt(make([]byte, 256))
	b, _ := second.decrypt(make([]byte, 256))
	if a == "" || a == b {
		t.Fatalf("bad ciphertexts gave %q and %q", a, b)
	}
	// Under another server secret the key does not open.
	other, _ := secret.NewSealer(bytes.Repeat([]byte{8}, secret.KeyLen), rand.Reader)
	if err := (&PasswordKey{Store: st, Sealer: other, Now: time.Now}).Ensure(t.Context()); err == nil {
		t.Fatal("opened under another server secret")
	}
}
