package authentication

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
)

// PKCE code challenge methods (RFC 7636).
const (
	ChallengeS256  = "S256"
	ChallengePlain = "plain"
)

// GenerateCodeVerifier returns a PKCE code verifier: 32 bytes from
// crypto/rand, base64url without padding (43 characters, RFC 7636 section 4.1).
func GenerateCodeVerifier() (string, error) { return GenerateCodeVerifierFrom(rand.Reader) }

// GenerateCodeVerifierFrom is GenerateCodeVerifier reading from r.
func GenerateCodeVerifierFrom(r io.Reader) (string, error) { return randomString(r, 32) }

// CodeChallenge derives the PKCE code challenge of verifier:
// BASE64URL(SHA256(verifier)) for ChallengeS256, the verifier itself for
// ChallengePlain. Prefer S256; plain exists for clients that cannot hash.
func CodeChallenge(verifier, method string) (string, error) {
	if l := len(verifier); l < 43 || l > 128 {
		return "", fmt.Errorf("authentication: a code verifier has 43 to 128 characters, not %d", l)
	}
	for _, r := range verifier {
		if !isUnreserved(r) {
			return "", fmt.Errorf("authentication: code verifier character %q is not allowed (RFC 7636 section 4.1)", r)
		}
	}
	switch method {
	case ChallengeS256:
		sum := sha256.Sum256([]byte(verifier))
		return base64.RawURLEncoding.EncodeToString(sum[:]), nil
	case ChallengePlain:
		return verifier, nil
	}
	return "", fmt.Errorf("authentication: code challenge method %q is not %q or %q", method, ChallengeS256, ChallengePlain)
}

// isUnreserved reports whether r is in RFC 3986's unreserved set, the
// alphabet of code verifiers.
func isUnreserved(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' ||
		r == '-' || r == '.' || r == '_' || r == '~'
}
