package authentication_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/authentication"
)

var passwordKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func publicKeyBase64(t *testing.T, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// passwordServer answers GET system with system (a status and a body) and
// signin by decrypting the password as GenAuth does; it records both.
type passwordServer struct {
	*httptest.Server
	mu        sync.Mutex
	systems   int
	passwords []string // what each signin decrypted to
	plain     []string // each signin's password as sent, when not encrypted
}

func newPasswordServer(t *testing.T, systemStatus int, systemBody string) *passwordServer {
	t.Helper()
	s := &passwordServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v3/system":
			s.systems++
			w.WriteHeader(systemStatus)
			io.WriteString(w, systemBody)
		case "/api/v3/signin":
			var body struct {
				PasswordPayload struct{ Password string }
				Options         struct{ PasswordEncryptType string }
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				t.Errorf("signin body: %v", err)
			}
			if body.Options.PasswordEncryptType != "rsa" {
				s.plain = append(s.plain, body.PasswordPayload.Password)
			} else {
				ct, err := base64.StdEncoding.DecodeString(body.PasswordPayload.Password)
				if err != nil {
					t.Errorf("the password is not base64: %v", err)
				}
				pw, err := rsa.DecryptPKCS1v15(nil, passwordKey(), ct)
				if err != nil {
					t.Errorf("the password does not decrypt as PKCS #1 v1.5: %v", err)
				}
				s.passwords = append(s.passwords, string(pw))
			}
			io.WriteString(w, `{"statusCode":200,"message":"","requestId":"r","data":{"access_token":"at","token_type":"Bearer"}}`)
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestEncryptedPasswordDecrypts checks that an rsa password is what the
// server's PKCS #1 v1.5 decryption turns back into the password, and that
// the key is fetched once and then again after ten minutes.
func TestEncryptedPasswordDecrypts(t *testing.T) {
	srv := newPasswordServer(t, http.StatusOK, `{"rsa":{"publicKey":"`+publicKeyBase64(t, &passwordKey().PublicKey)+`"},"sm2":{"publicKey":""}}`)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := newClient(t, srv.URL, func(o *authentication.Options) {
		o.PasswordEncryptType = authentication.PasswordEncryptRSA
		o.Now = func() time.Time { return now }
	})
	for _, pw := range []string{"correct horse battery", "密码也可以是中文", "correct horse battery"} {
		if _, err := c.SignInByUsernamePassword(t.Context(), "alice", pw, nil); err != nil {
			t.Fatalf("SignInByUsernamePassword: %v", err)
		}
	}
	now = now.Add(10 * time.Minute)
	if _, err := c.SignInByUsernamePassword(t.Context(), "alice", "after ten minutes", nil); err != nil {
		t.Fatalf("SignInByUsernamePassword: %v", err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if want := []string{"correct horse battery", "密码也可以是中文", "correct horse battery", "after ten minutes"}; strings.Join(srv.passwords, "|") != strings.Join(want, "|") || len(srv.plain) != 0 {
		t.Errorf("decrypted %q, plain %q; want %q, no plain", srv.passwords, srv.plain, want)
	}
	if srv.systems != 2 {
		t.Errorf("GET system %d times, want 2 (once, then after ten minutes)", srv.systems)
	}
}

// TestEncryptedPasswordNeverFallsBack checks that a password the client
// cannot encrypt is not sent at all, rather than sent in plain.
func TestEncryptedPasswordNeverFallsBack(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := `{"rsa":{"publicKey":"` + publicKeyBase64(t, &passwordKey().PublicKey) + `"}}`
	for _, tc := range []struct {
		name, body, password, wantErr string
		status                        int
	}{
		{"system fails", `oops`, "pw", "fetching the password key", http.StatusInternalServerError},
		{"no key", `{"rsa":{"publicKey":""}}`, "pw", "publishes no RSA password key", http.StatusOK},
		{"not base64", `{"rsa":{"publicKey":"%%%"}}`, "pw", "not base64", http.StatusOK},
		{"not a key", `{"rsa":{"publicKey":"AAAA"}}`, "pw", "RSA password key", http.StatusOK},
		{"not RSA", `{"rsa":{"publicKey":"` + publicKeyBase64(t, &ec.PublicKey) + `"}}`, "pw", "not an RSA key", http.StatusOK},
		{"too long", good, strings.Repeat("x", 246), "at most 245 bytes", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newPasswordServer(t, tc.status, tc.body)
			c := newClient(t, srv.URL, func(o *authentication.Options) { o.PasswordEncryptType = authentication.PasswordEncryptRSA })
			_, err := c.SignInByUsernamePassword(t.Context(), "alice", tc.password, nil)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if len(srv.plain)+len(srv.passwords) != 0 {
				t.Errorf("signin was called (plain %q) although the password could not be encrypted", srv.plain)
			}
		})
	}
}
