package authentication_test

import (
	"errors"
	"testing"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
)

// TestE2EAccount drives the account calls against a real server: profile
// changes, a password change that ends the other sessions only, the
// security summary, the login history and the applications.
func TestE2EAccount(t *testing.T) {
	e := newE2E(t, authentication.ProtocolOIDC, authentication.AuthClientSecretPost, model.GrantAuthorizationCode, model.GrantRefreshToken)
	ctx := t.Context()
	signIn := func(pw string) (string, error) {
		tokens, err := e.client.SignInByUsernamePassword(ctx, e2eUser, pw, nil)
		if err != nil {
			return "", err
		}
		return tokens.AccessToken, nil
	}
	mine, err := signIn(e2ePassword)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := signIn(e2ePassword)
	if err != nil {
		t.Fatal(err)
	}

	nick, gender := "Al", "F"
	u, err := e.client.UpdateProfile(ctx, mine, authentication.ProfileUpdate{Nickname: &nick, Gender: &gender, CustomData: map[string]any{"k": "v"}})
	if err != nil || u.Nickname != nick || u.Gender != gender || u.UserID != e.user.ID {
		t.Fatalf("UpdateProfile: %+v, %v", u, err)
	}

	info, err := e.client.GetSecurityInfo(ctx, mine)
	if err != nil || !info.PasswordSet || info.PasswordSecurityLevel != 2 || info.SecurityScore != 40 {
		t.Errorf("GetSecurityInfo: %+v, %v", info, err)
	}
	history, err := e.client.GetLoginHistory(ctx, mine, authentication.LoginHistoryQuery{AppID: e.app.ID, Limit: 1})
	if err != nil || history.TotalCount != 2 || len(history.List) != 1 || history.List[0].AppID != e.app.ID || !history.List[0].Success {
		t.Errorf("GetLoginHistory: %+v, %v", history, err)
	}
	for name, fn := range map[string]func() ([]authentication.AppEntry, error){
		"GetLoggedInApps":   func() ([]authentication.AppEntry, error) { return e.client.GetLoggedInApps(ctx, mine) },
		"GetAccessibleApps": func() ([]authentication.AppEntry, error) { return e.client.GetAccessibleApps(ctx, mine) },
	} {
		list, err := fn()
		if err != nil || len(list) != 1 || list[0].AppID != e.app.ID || !list[0].Active {
			t.Errorf("%s: %+v, %v", name, list, err)
		}
	}

	var apiErr *authentication.APIError
	if err := e.client.UpdatePassword(ctx, mine, "not my password", "a brand new secret"); !errors.As(err, &apiErr) || apiErr.APICode != 2006 {
		t.Errorf("UpdatePassword with a wrong old password: %v, want apiCode 2006", err)
	}
	if err := e.client.UpdatePassword(ctx, mine, e2ePassword, "short"); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Errorf("UpdatePassword to a short password: %v, want statusCode 400", err)
	}
	if err := e.client.UpdatePassword(ctx, mine, e2ePassword, "a brand new secret"); err != nil {
		t.Fatalf("UpdatePassword: %v", err)
	}
	if _, err := e.client.GetProfile(ctx, mine, false); err != nil {
		t.Errorf("the calling token after UpdatePassword: %v", err)
	}
	if _, err := e.client.GetProfile(ctx, theirs, false); !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Errorf("another session's token after UpdatePassword: %v, want statusCode 401", err)
	}
	if _, err := signIn(e2ePassword); !errors.As(err, &apiErr) || apiErr.APICode != 2333 {
		t.Errorf("the old password: %v, want apiCode 2333", err)
	}
	if _, err := signIn("a brand new secret"); err != nil {
		t.Errorf("the new password: %v", err)
	}
}

// TestE2ESignUp registers users through the authentication API and signs
// them in; an application that closed registration refuses.
func TestE2ESignUp(t *testing.T) {
	e := newE2E(t, authentication.ProtocolOIDC, authentication.AuthClientSecretPost, model.GrantAuthorizationCode)
	ctx := t.Context()
	u, err := e.client.SignUpByUsernamePassword(ctx, "newbie", "a good new secret", &authentication.SignUpProfile{Nickname: "Newb", Gender: "M"})
	if err != nil || u.Username != "newbie" || u.Nickname != "Newb" || u.UserSourceType != "register" || u.UserSourceID != e.app.ID {
		t.Fatalf("SignUpByUsernamePassword: %+v, %v", u, err)
	}
	if _, err := e.client.SignInByUsernamePassword(ctx, "newbie", "a good new secret", nil); err != nil {
		t.Errorf("the new user signs in: %v", err)
	}
	byEmail, err := e.client.SignUpByEmailPassword(ctx, "New@Example.com", "a good new secret", nil)
	if err != nil || byEmail.Email != "new@example.com" || byEmail.EmailVerified {
		t.Fatalf("SignUpByEmailPassword: %+v, %v", byEmail, err)
	}
	var apiErr *authentication.APIError
	if _, err := e.client.SignUpByUsernamePassword(ctx, "NEWBIE", "a good new secret", nil); !errors.As(err, &apiErr) || apiErr.StatusCode != 409 {
		t.Errorf("a taken username: %v, want statusCode 409", err)
	}

	closed, secret := e.srv.CreateApp(t, apps.CreateParams{Name: "closed", RedirectURIs: []string{e2eCallback}, RegistrationClosed: true})
	c, err := authentication.NewClient(authentication.Options{AppID: closed.ID, AppSecret: secret, AppHost: e.srv.URL, RedirectURI: e2eCallback})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignUpByUsernamePassword(ctx, "shut", "a good new secret", nil); !errors.As(err, &apiErr) || apiErr.StatusCode != 403 || apiErr.APICode != 2031 {
		t.Errorf("a closed application: %v, want 403/2031", err)
	}
}
