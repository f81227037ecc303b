package authentication_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/authentication"
)

func TestCodeChallenge(t *testing.T) {
	const rfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 Appendix B
	tests := []struct {
		name, verifier, method, want, wantErr string
	}{
		{"RFC 7636 appendix B", rfcVerifier, "S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", ""},
		{"plain", rfcVerifier, "plain", rfcVerifier, ""},
		{"unknown method", rfcVerifier, "s256", "", "method"},
		{"too short", rfcVerifier[:42], "S256", "", "43 to 128"},
		{"too long", strings.Repeat("a", 129), "S256", "", "43 to 128"},
		{"bad character", rfcVerifier[:42] + "+", "S256", "", "not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := authentication.CodeChallenge(tt.verifier, tt.method)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("CodeChallenge error = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CodeChallenge = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestGenerateCodeVerifier(t *testing.T) {
	v, err := authentication.GenerateCodeVerifierFrom(bytes.NewReader(bytes.Repeat([]byte{0xff}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("_", 42) + "8"; v != want {
		t.Errorf("verifier from 0xff bytes = %q, want %q", v, want)
	}
	if _, err := authentication.GenerateCodeVerifierFrom(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Error("a short random source gave no error")
	}
	a, errA := authentication.GenerateCodeVerifier()
	b, errB := authentication.GenerateCodeVerifier()
	if errA != nil || errB != nil || a == b {
		t.Fatalf("GenerateCodeVerifier = %q, %q (%v, %v)", a, b, errA, errB)
	}
	if _, err := authentication.CodeChallenge(a, authentication.ChallengeS256); err != nil {
		t.Errorf("a generated verifier is not valid: %v", err)
	}
}
