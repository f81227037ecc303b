package token

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
)

// Source mints random values from an injected reader (crypto/rand.Reader in production).
type Source struct {
	r io.Reader
}

// NewSource returns a Source reading randomness from r.
func NewSource(r io.Reader) *Source { return &Source{r: r} }

func (s *Source) read(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.r, b); err != nil {
		// A failing random source leaves no safe way to go on.
		panic(fmt.Sprintf("token: random source failed: %v", err))
	}
	return b
}

// Opaque returns an access token, refresh token or authorization code:
// 40 lowercase hex characters (160 random bits), the GenAuth wire format.
func (s *Source) Opaque() string { return hex.EncodeToString(s.read(20)) }

// ID returns a 24-hex-character identifier (96 random bits) for users and
// applications, shaped like the ids GenAuth SDK users already store.
func (s *Source) ID() string { return hex.EncodeToString(s.read(12)) }

// Secret returns an application secret: 32 hex characters (128 random bits).
func (s *Source) Secret() string { return hex.EncodeToString(s.read(16)) }

// SessionID returns a browser session id: 256 random bits, base64url.
func (s *Source) SessionID() string { return base64.RawURLEncoding.EncodeToString(s.read(32)) }

// Link returns the token of a one-time link that grants something (the
// first administrator's): 256 random bits, base64url.
func (s *Source) Link() string { return base64.RawURLEncoding.EncodeToString(s.read(32)) }

// JTI returns a short public token identifier (not a secret).
func (s *Source) JTI() string { return base64.RawURLEncoding.EncodeToString(s.read(15)) }

// Hash returns the hex SHA-256 of v, the only form in which tokens, codes,
// session ids and client secrets are stored. The values are high-entropy, so
// an unsalted fast hash is enough.
func Hash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// Equal compares two hashes in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
