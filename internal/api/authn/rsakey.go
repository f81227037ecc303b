package authn

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/secret"
)

// SealPurpose is what the password key's private half is sealed under.
const SealPurpose = "password encryption key"

// keyBits is the size of the password key (contract 2.1: 2048).
const keyBits = 2048

// PasswordKey is the installation's RSA key for passwordEncryptType rsa:
// dedicated to it (never a token-signing key), made on the first start and
// shared by every node through the store.
type PasswordKey struct {
	Store  PasswordKeyStore
	Sealer *secret.Sealer
	Rand   io.Reader
	Now    func() time.Time

	public  []byte // DER SubjectPublicKeyInfo
	private *rsa.PrivateKey
}

// Ensure loads the key, making it first when the store has none. Of nodes
// making one at once, the store keeps the first and the others load it.
func (k *PasswordKey) Ensure(ctx context.Context) error {
	stored, err := k.Store.GetPasswordKey(ctx)
	if errors.Is(err, model.ErrNotFound) {
		var made *model.PasswordKey
		if made, err = k.make(); err != nil {
			return err
		}
		err = k.Store.CreatePasswordKey(ctx, made)
		switch {
		case err == nil:
			stored = made
		case errors.Is(err, model.ErrConflict):
			stored, err = k.Store.GetPasswordKey(ctx)
		}
	}
	if err != nil {
		return fmt.Errorf("password key: %w", err)
	}
	der, err := k.Sealer.Open(SealPurpose, stored.SealedPrivate)
	if err != nil {
		return fmt.Errorf("password key: opening the private key (is this the server secret it was sealed with?): %w", err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return fmt.Errorf("password key: %w", err)
	}
	rsaKey, ok := priv.(*rsa.PrivateKey)
	if !ok {
		return errors.New("password key: the stored key is not an RSA key")
	}
	k.public, k.private = stored.PublicDER, rsaKey
	return nil
}

func (k *PasswordKey) make() (*model.PasswordKey, error) {
	priv, err := rsa.GenerateKey(k.random(), keyBits)
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	sealed, err := k.Sealer.Seal(SealPurpose, pkcs8)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	return &model.PasswordKey{PublicDER: pub, SealedPrivate: sealed, CreatedAt: k.Now().UTC()}, nil
}

// decrypt opens an RSA PKCS #1 v1.5 ciphertext (what the SDKs send). A
// ciphertext that does not open gives a random password, which nothing
// matches, rather than an error: the caller's answer is then a wrong
// password's, after a counted sign-in attempt, so that the answer is no
// padding oracle (Bleichenbacher) and guessing is throttled like passwords.
func (k *PasswordKey) decrypt(ciphertext []byte) (string, error) {
	pw, err := rsa.DecryptPKCS1v15(nil, k.private, ciphertext)
	if err == nil {
		return string(pw), nil
	}
	random := make([]byte, 32)
	if _, err := io.ReadFull(k.random(), random); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(random), nil
}

// PublicKey is the public half as clients take it: base64 of the DER
// SubjectPublicKeyInfo, no PEM armour (contract 2.1).
func (k *PasswordKey) PublicKey() string { return base64.StdEncoding.EncodeToString(k.public) }

func (k *PasswordKey) random() io.Reader {
	if k.Rand == nil {
		return rand.Reader
	}
	return k.Rand
}
