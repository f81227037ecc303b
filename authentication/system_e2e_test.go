package authentication_test

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestE2ESystemAndChecks reads the server's public settings and checks an
// application's secret and a user's password against a real server.
func TestE2ESystemAndChecks(t *testing.T) {
	e := newE2E(t, authentication.ProtocolOIDC, authentication.AuthClientSecretPost, model.GrantAuthorizationCode)
	ctx := t.Context()

	info, err := e.client.GetSystemInfo(ctx)
	if err != nil {
		t.Fatalf("GetSystemInfo: %v", err)
	}
	der, err := base64.StdEncoding.DecodeString(info.RSA.PublicKey)
	if err != nil {
		t.Fatalf("rsa.publicKey %q: %v", info.RSA.PublicKey, err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if key, ok := pub.(*rsa.PublicKey); err != nil || !ok || key.N.BitLen() != 2048 {
		t.Errorf("rsa.publicKey is %T (%v), want a 2048-bit RSA key", pub, err)
	}
	if info.SM2.PublicKey != "" || info.PublicIPs == nil {
		t.Errorf("system info %+v: want no sm2 key and an empty publicIps", info)
	}

	if err := e.client.CheckAppIDSecret(ctx); err != nil {
		t.Errorf("CheckAppIDSecret with the right secret: %v", err)
	}
	var apiErr *authentication.APIError
	for _, tc := range []struct {
		name, id, secret string
		check            func(error) bool
	}{
		{"wrong secret", e.app.ID, "0000000000000000ffffffffffffffff", func(err error) bool {
			return errors.Is(err, authentication.ErrWrongAppSecret) && strings.Contains(err.Error(), "the app secret is wrong")
		}},
		{"unknown application", "000000000000000000000000", e.secret, func(err error) bool {
			return errors.As(err, &apiErr) && apiErr.StatusCode == 404 && apiErr.APICode == 2011
		}},
	} {
		c, err := authentication.NewClient(authentication.Options{AppID: tc.id, AppSecret: tc.secret, AppHost: e.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.CheckAppIDSecret(ctx); !tc.check(err) {
			t.Errorf("CheckAppIDSecret, %s: %v", tc.name, err)
		}
	}

	for _, tc := range []struct {
		name string
		p    authentication.PasswordCheck
		want bool
	}{
		{"right", authentication.PasswordCheck{Username: e2eUser, Password: e2ePassword}, true},
		{"wrong", authentication.PasswordCheck{Username: e2eUser, Password: "not it at all"}, false},
		{"unknown user", authentication.PasswordCheck{Email: "nobody@example.com", Password: e2ePassword}, false},
	} {
		if got, err := e.client.ValidatePassword(ctx, tc.p); err != nil || got != tc.want {
			t.Errorf("ValidatePassword, %s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := e.client.ValidatePassword(ctx, authentication.PasswordCheck{Password: e2ePassword}); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Errorf("ValidatePassword naming no user: %v, want statusCode 400", err)
	}
}

// recorder is a transport that keeps every request body it sends.
type recorder struct {
	mu     sync.Mutex
	bodies []string // "METHOD /path body"
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.bodies = append(r.bodies, req.Method+" "+req.URL.Path+" "+string(body))
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) sent() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bodies...)
}

// TestE2EEncryptedPasswords runs every call that sends a password with
// PasswordEncryptRSA against a real server, on both backends: each works,
// which it could not if the server failed to decrypt, and no password
// crosses the wire as it is.
func TestE2EEncryptedPasswords(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) {
			srv := b.Start(t)
			inbox := srv.StartInbox(t)
			app, secret := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{e2eCallback}})
			srv.CreateUser(t, e2eUser, e2ePassword)
			rec := &recorder{}
			c, err := authentication.NewClient(authentication.Options{AppID: app.ID, AppSecret: secret, AppHost: srv.URL,
				PasswordEncryptType: authentication.PasswordEncryptRSA, HTTPClient: &http.Client{Transport: rec}, Now: srv.Clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			ok := func(what string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			signIn := func(login, pw string) string {
				t.Helper()
				tokens, err := c.SignInByAccountPassword(ctx, login, pw, nil)
				ok("SignInByAccountPassword "+login, err)
				return tokens.AccessToken
			}
			const (
				newPassword   = "a brand new secret"
				resetPassword = "a reset new secret"
				phonePassword = "a phone user's secret"
				signUpPW      = "a signed-up secret"
			)

			at := signIn(e2eUser, e2ePassword)
			valid, err := c.ValidatePassword(ctx, authentication.PasswordCheck{Username: e2eUser, Password: e2ePassword})
			if err != nil || !valid {
				t.Fatalf("ValidatePassword: %v, %v", valid, err)
			}
			ok("UpdatePassword", c.UpdatePassword(ctx, at, e2ePassword, newPassword))
			at = signIn(e2eUser, newPassword)

			_, err = c.SignUpByUsernamePassword(ctx, "newbie", signUpPW, nil)
			ok("SignUpByUsernamePassword", err)
			signIn("newbie", signUpPW)

			ok("SendSMS", c.SendSMS(ctx, "13800000031", "", authentication.ChannelRegister))
			_, err = c.SignUpByPhoneCode(ctx, "13800000031", "", inbox.Deliver(t)["13800000031"], phonePassword, nil)
			ok("SignUpByPhoneCode", err)
			signIn("13800000031", phonePassword)

			ok("SendSMS", c.SendSMS(ctx, "13800000031", "", authentication.ChannelResetPassword))
			tok, err := c.VerifyResetPasswordRequest(ctx, authentication.ResetRequest{Phone: "13800000031", PassCode: inbox.Deliver(t)["13800000031"]})
			ok("VerifyResetPasswordRequest", err)
			ok("ResetPassword", c.ResetPassword(ctx, tok.PasswordResetToken, resetPassword))
			signIn("13800000031", resetPassword)

			// alice has neither email nor phone: her password proves the deletion.
			g, err := c.VerifyDeleteAccountRequest(ctx, at, authentication.DeleteVerification{Password: newPassword})
			ok("VerifyDeleteAccountRequest", err)
			ok("DeleteAccount", c.DeleteAccount(ctx, at, g.DeleteAccountToken))

			systems := 0
			for _, body := range rec.sent() {
				if strings.HasPrefix(body, "GET /api/v3/system ") {
					systems++
				}
				for _, pw := range []string{e2ePassword, newPassword, resetPassword, phonePassword, signUpPW} {
					if strings.Contains(body, pw) {
						t.Errorf("a password was sent as it is: %s", body)
					}
				}
			}
			if systems != 1 {
				t.Errorf("the password key was fetched %d times, want once", systems)
			}

			// Ten minutes on, the key is fetched again.
			srv.Clock.Advance(10 * time.Minute)
			signIn("newbie", signUpPW)
			if sent := rec.sent(); !strings.HasPrefix(sent[len(sent)-2], "GET /api/v3/system ") {
				t.Errorf("after ten minutes the sign-in did not fetch the key first: %q", sent[len(sent)-2:])
			}
		})
	}
}
