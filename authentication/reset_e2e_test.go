package authentication_test

import (
	"errors"
	"testing"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestE2EPasswordReset resets a password with a code sent by email (read
// over SMTP) and by SMS: the new password signs in, the old one and the
// tokens from before do not, and a token works once.
func TestE2EPasswordReset(t *testing.T) {
	srv := testserver.Start(t)
	inbox := srv.StartInbox(t)
	app, secret := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{e2eCallback}})
	c, err := authentication.NewClient(authentication.Options{AppID: app.ID, AppSecret: secret, AppHost: srv.URL, RedirectURI: e2eCallback})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := srv.Users.Create(ctx, users.CreateParams{Username: "erin", Email: "erin@example.com", Phone: "13800000002", Password: e2ePassword}); err != nil {
		t.Fatal(err)
	}
	before, err := c.SignInByUsernamePassword(ctx, "erin", e2ePassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	var apiErr *authentication.APIError

	if err := c.SendEmail(ctx, "erin@example.com", authentication.ChannelResetPassword); err != nil {
		t.Fatalf("SendEmail: %v", err)
	}
	code := inbox.Deliver(t)["erin@example.com"]
	tok, err := c.VerifyResetPasswordRequest(ctx, authentication.ResetRequest{Email: "erin@example.com", PassCode: code})
	if err != nil || tok.PasswordResetToken == "" || tok.TokenExpiresIn != 600 {
		t.Fatalf("VerifyResetPasswordRequest: %+v, %v", tok, err)
	}
	if err := c.ResetPassword(ctx, tok.PasswordResetToken, "short"); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Fatalf("a weak password: %v, want statusCode 400", err)
	}
	if err := c.ResetPassword(ctx, tok.PasswordResetToken, "a brand new secret"); err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	if err := c.ResetPassword(ctx, tok.PasswordResetToken, "another new secret"); !errors.As(err, &apiErr) || apiErr.StatusCode != 403 {
		t.Fatalf("a used token: %v, want statusCode 403", err)
	}
	if _, err := c.GetProfile(ctx, before.AccessToken, false); !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Fatalf("a token from before the reset: %v, want statusCode 401", err)
	}
	if _, err := c.SignInByUsernamePassword(ctx, "erin", e2ePassword, nil); !errors.As(err, &apiErr) || apiErr.StatusCode != 403 {
		t.Fatalf("the old password: %v, want statusCode 403", err)
	}
	if _, err := c.SignInByEmailPassword(ctx, "erin@example.com", "a brand new secret", nil); err != nil {
		t.Fatalf("the new password: %v", err)
	}

	if err := c.SendSMS(ctx, "13800000002", "", authentication.ChannelResetPassword); err != nil {
		t.Fatalf("SendSMS: %v", err)
	}
	code = inbox.Deliver(t)["13800000002"]
	if _, err := c.VerifyResetPasswordRequest(ctx, authentication.ResetRequest{Phone: "13800000003", PassCode: code}); !errors.As(err, &apiErr) || apiErr.StatusCode != 403 || apiErr.APICode != 2001 {
		t.Fatalf("another number: %v, want 403/2001", err)
	}
	tok, err = c.VerifyResetPasswordRequest(ctx, authentication.ResetRequest{Phone: "13800000002", PassCode: code})
	if err != nil {
		t.Fatalf("VerifyResetPasswordRequest by phone: %v", err)
	}
	if err := c.ResetPassword(ctx, tok.PasswordResetToken, "a third new secret"); err != nil {
		t.Fatalf("ResetPassword by phone: %v", err)
	}
	if _, err := c.SignInByUsernamePassword(ctx, "erin", "a third new secret", nil); err != nil {
		t.Fatalf("the password set by phone: %v", err)
	}
}
