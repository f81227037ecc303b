package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// PKCE methods (RFC 7636).
const (
	pkceS256  = "S256"
	pkcePlain = "plain"
)

// validPKCEValue checks the RFC 7636 syntax shared by verifiers and challenges:
// 43 to 128 unreserved characters.
func validPKCEValue(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// challengeS256 is the S256 code challenge of verifier.
func challengeS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// verifyPKCE reports whether verifier answers challenge under method.
func verifyPKCE(challenge, method, verifier string) bool {
	computed := verifier
	if method == pkceS256 {
		computed = challengeS256(verifier)
	}
	return subtle.ConstantTimeCompare([]byte(computed), []byte(challenge)) == 1
}
