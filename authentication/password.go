package authentication

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/opengenauth/genauth/internal/wire"
)

// How the calls that send a password send it (Options.PasswordEncryptType).
const (
	// PasswordEncryptNone sends the password as it is (over TLS).
	PasswordEncryptNone = "none"
	// PasswordEncryptRSA encrypts it under the server's password key.
	PasswordEncryptRSA = "rsa"
)

// passwordKeyTTL bounds how long a fetched password key is used: a server
// given a new key (a reinstall) would otherwise see every password as wrong,
// and count each as a failed sign-in, until the process restarts.
const passwordKeyTTL = 10 * time.Minute

// sealPassword returns pw as the server takes it under
// Options.PasswordEncryptType, and the passwordEncryptType to send with it
// ("" for none). An empty password is sent as it is, so the server says it
// is required.
func (c *Client) sealPassword(ctx context.Context, pw string) (sealed, encryptType string, err error) {
	if c.opts.PasswordEncryptType != PasswordEncryptRSA || pw == "" {
		return pw, "", nil
	}
	key, err := c.passwordKey(ctx)
	if err != nil {
		return "", "", err
	}
	// PKCS #1 v1.5, not OAEP: the padding the server and every GenAuth SDK
	// use for passwordEncryptType rsa (contract 2.1).
	ciphertext, err := rsa.EncryptPKCS1v15(rand.Reader, key, []byte(pw))
	if err != nil {
		return "", "", fmt.Errorf("authentication: encrypting the password (at most %d bytes): %w", key.Size()-11, err)
	}
	return base64.StdEncoding.EncodeToString(ciphertext), PasswordEncryptRSA, nil
}

// passwordKey returns the server's RSA password key from GetSystemInfo,
// fetched again once passwordKeyTTL has passed.
func (c *Client) passwordKey(ctx context.Context) (*rsa.PublicKey, error) {
	c.keyMu.Lock()
	defer c.keyMu.Unlock()
	now := c.now()
	if c.key != nil && now.Sub(c.keyAt) < passwordKeyTTL {
		return c.key, nil
	}
	info, err := c.GetSystemInfo(ctx)
	if err != nil {
		return nil, fmt.Errorf("authentication: fetching the password key: %w", err)
	}
	if info.RSA.PublicKey == "" {
		return nil, errors.New("authentication: the server publishes no RSA password key (GET /api/v3/system)")
	}
	der, err := base64.StdEncoding.DecodeString(info.RSA.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("authentication: the server's RSA password key is not base64: %w", err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("authentication: the server's RSA password key: %w", err)
	}
	key, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("authentication: the server's RSA password key is a %T, not an RSA key", pub)
	}
	c.key, c.keyAt = key, now
	return key, nil
}

// PasswordCheck names a user by Email, Phone or Username (the server takes
// the first one set, in that order) and the Password to check.
type PasswordCheck struct {
	Email, Phone, Username string
	Password               string
}

// ValidatePassword says whether p.Password is the named user's password
// (POST <AppHost>/api/v3/validate-password); an unknown user gives false,
// as a wrong password does. It counts as a sign-in attempt, so a locked
// account gives an *APIError with StatusCode 403 and APICode 2005, and
// repeated tries StatusCode 429.
func (c *Client) ValidatePassword(ctx context.Context, p PasswordCheck) (bool, error) {
	pw, encrypt, err := c.sealPassword(ctx, p.Password)
	if err != nil {
		return false, err
	}
	body := map[string]string{"password": pw}
	for name, v := range map[string]string{"email": p.Email, "phone": p.Phone, "username": p.Username, "passwordEncryptType": encrypt} {
		if v != "" {
			body[name] = v
		}
	}
	var v wire.Validity
	if err := c.callAPI(ctx, http.MethodPost, "validate-password", body, false, "", &v); err != nil {
		return false, err
	}
	return v.Valid, nil
}
