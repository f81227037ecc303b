package authentication

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/opengenauth/genauth/internal/wire"
)

// SystemInfo is GetSystemInfo's answer: RSA.PublicKey, the key rsa
// passwords are encrypted with (base64 of the DER SubjectPublicKeyInfo);
// SM2.PublicKey, empty (GenAuth does not support sm2); the server's Version.
type SystemInfo = wire.SystemInfo

// ErrWrongAppSecret is CheckAppIDSecret's answer when the server knows the
// application but Options.AppSecret is not its secret.
var ErrWrongAppSecret = errors.New("authentication: the application secret is wrong")

// GetSystemInfo returns the server's public settings (GET
// <AppHost>/api/v3/system, which answers without the envelope).
func (c *Client) GetSystemInfo(ctx context.Context) (*SystemInfo, error) {
	req, err := c.apiRequest(ctx, http.MethodGet, "system", http.NoBody)
	if err != nil {
		return nil, err
	}
	raw, err := c.do(req)
	if err != nil {
		return nil, err
	}
	var info SystemInfo
	if err := decode("system", raw, &info); err != nil {
		return nil, err
	}
	return &info, nil
}

// CheckAppIDSecret asks the server whether Options.AppID and
// Options.AppSecret go together (POST <AppHost>/api/v3/check-app-id-secret),
// as a service may at start-up. nil: they do. A wrong secret gives an error
// matching ErrWrongAppSecret, carrying the server's reason; an unknown
// application an *APIError with StatusCode 404 and APICode 2011.
func (c *Client) CheckAppIDSecret(ctx context.Context) error {
	var v wire.Validity
	msg, err := c.callAPIMessage(ctx, http.MethodPost, "check-app-id-secret",
		map[string]string{"appId": c.opts.AppID, "appSecret": c.opts.AppSecret}, false, "", &v)
	if err != nil {
		return err
	}
	if !v.Valid {
		return fmt.Errorf("%w (server: %s)", ErrWrongAppSecret, msg)
	}
	return nil
}
