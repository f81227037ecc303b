package authentication

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
)

// Signing algorithms an IDTokenVerifier can be pinned to (RFC 7518 section 3.1),
// the two GenAuth signs id tokens with.
const (
	// AlgRS256 is RSASSA-PKCS1-v1_5 with SHA-256, GenAuth's default.
	AlgRS256 = "RS256"
	// AlgES256 is ECDSA on P-256 with SHA-256.
	AlgES256 = "ES256"
)

// MaxIDTokenLen bounds the id tokens VerifyIDToken reads; GenAuth's are well
// under 4 KiB, and the bound stops huge inputs before any decoding.
const MaxIDTokenLen = 16 << 10

// jwsHeader is the protected header of a compact JWS.
type jwsHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// compactJWS is a compact JWS split and decoded, not yet verified.
type compactJWS struct {
	header    jwsHeader
	payload   []byte
	signed    string // ASCII(header "." payload), the signing input
	signature []byte
}

// parseCompact splits and decodes a compact JWS (RFC 7515 section 7.1).
// Failures wrap ErrMalformedToken.
func parseCompact(raw string) (*compactJWS, error) {
	if len(raw) > MaxIDTokenLen {
		return nil, invalid(ErrMalformedToken, "%d bytes, more than %d", len(raw), MaxIDTokenLen)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		// Five segments would be an encrypted JWE, which GenAuth never sends.
		return nil, invalid(ErrMalformedToken, "%d segments, want 3", len(parts))
	}
	names := [3]string{"header", "payload", "signature"}
	var dec [3][]byte
	for i, p := range parts {
		b, err := decodeSegment(p)
		if err != nil {
			return nil, invalid(ErrMalformedToken, "%s: %v", names[i], err)
		}
		dec[i] = b
	}
	var h jwsHeader
	if err := json.Unmarshal(dec[0], &h); err != nil {
		return nil, invalid(ErrMalformedToken, "header: %v", err)
	}
	// RFC 7515 section 4.1.11: extensions the recipient does not understand
	// must be refused, and this verifier understands none.
	if len(h.Crit) > 0 {
		return nil, invalid(ErrMalformedToken, "header has crit extensions")
	}
	return &compactJWS{header: h, payload: dec[1], signed: parts[0] + "." + parts[1], signature: dec[2]}, nil
}

// decodeSegment decodes unpadded base64url strictly: the decoder would
// otherwise skip CR and LF, and a token must have exactly one spelling.
func decodeSegment(s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, fmt.Errorf("byte %d (%q) is not unpadded base64url", i, c)
		}
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// verifySignature checks the JWS signature with key under alg, which the
// caller has already matched against the pinned algorithm and the key.
func (j *compactJWS) verifySignature(alg string, key crypto.PublicKey) error {
	sum := sha256.Sum256([]byte(j.signed))
	switch alg {
	case AlgRS256:
		pub, ok := key.(*rsa.PublicKey)
		if !ok {
			return invalid(ErrUnknownKey, "RS256 needs an RSA key")
		}
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], j.signature) != nil {
			return invalid(ErrBadSignature, "RS256 signature does not verify")
		}
		return nil
	case AlgES256:
		pub, ok := key.(*ecdsa.PublicKey)
		if !ok {
			return invalid(ErrUnknownKey, "ES256 needs an EC key")
		}
		// RFC 7518 section 3.4: R and S as two 32-byte big-endian integers,
		// not the ASN.1 form crypto/ecdsa produces.
		if len(j.signature) != 64 {
			return invalid(ErrBadSignature, "ES256 signature has %d bytes, want 64", len(j.signature))
		}
		r := new(big.Int).SetBytes(j.signature[:32])
		s := new(big.Int).SetBytes(j.signature[32:])
		if !ecdsa.Verify(pub, sum[:], r, s) {
			return invalid(ErrBadSignature, "ES256 signature does not verify")
		}
		return nil
	}
	return invalid(ErrWrongAlgorithm, "%q is not supported", alg)
}
