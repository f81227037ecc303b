package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// KeyLen is the length of the server secret key in bytes.
const KeyLen = 32

// ErrDecrypt means a sealed value was not made with this key and purpose, or was altered.
var ErrDecrypt = errors.New("secret: cannot decrypt (wrong server secret key, or altered data)")

// Sealer encrypts and authenticates values under the server secret key.
type Sealer struct {
	key  []byte
	rand io.Reader
}

// NewSealer returns a Sealer for a server secret key of KeyLen bytes; rand supplies nonces.
func NewSealer(key []byte, rand io.Reader) (*Sealer, error) {
	if len(key) != KeyLen {
		return nil, fmt.Errorf("secret: the server secret key must be %d bytes", KeyLen)
	}
	return &Sealer{key: append([]byte(nil), key...), rand: rand}, nil
}

// DeriveKey returns a 32-byte key for purpose derived from the server secret
// key (HKDF-SHA256), for keyed hashes; a purpose names one use only, and
// differs from every purpose values are sealed for.
func (s *Sealer) DeriveKey(purpose string) ([]byte, error) {
	return hkdf.Key(sha256.New, s.key, nil, "genauth "+purpose, 32)
}

func (s *Sealer) aead(purpose string) (cipher.AEAD, error) {
	sub, err := s.DeriveKey(purpose)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sub)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts plaintext for purpose; the purpose is bound in, so a value
// sealed for one purpose cannot be opened as another.
func (s *Sealer) Seal(purpose string, plaintext []byte) ([]byte, error) {
	aead, err := s.aead(purpose)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(s.rand, nonce); err != nil {
		return nil, fmt.Errorf("secret: reading nonce: %w", err)
	}
	return aead.Seal(nonce, nonce, plaintext, []byte(purpose)), nil
}

// Open decrypts a value sealed for purpose.
func (s *Sealer) Open(purpose string, sealed []byte) ([]byte, error) {
	aead, err := s.aead(purpose)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, ErrDecrypt
	}
	nonce, ct := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	out, err := aead.Open(nil, nonce, ct, []byte(purpose))
	if err != nil {
		return nil, ErrDecrypt
	}
	return out, nil
}

// ParseKey decodes a server secret key given as 64 hex characters.
func ParseKey(s string) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) != KeyLen {
		return nil, fmt.Errorf("the server secret key must be %d hex characters", 2*KeyLen)
	}
	return key, nil
}

// LoadOrCreateKeyFile reads the hex key in path, creating it (mode 0600) with
// a key from rand when it does not exist.
func LoadOrCreateKeyFile(path string, rand io.Reader) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key, err := ParseKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, KeyLen)
	if _, err := io.ReadFull(rand, key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// O_EXCL: two processes starting together must not each write a different key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateKeyFile(path, rand)
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return key, nil
}
