package authentication_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/opengenauth/genauth/authentication"
)

// The flows of the authentication API, end to end. Like the examples above
// they need a live server, so they have no output; each code comes from
// the user, who received it by email or text message.

// exampleClient is the client the examples below share.
func exampleClient() *authentication.Client {
	client, err := authentication.NewClient(authentication.Options{
		AppID:     "GEN_AUTH_APP_ID",
		AppSecret: "GEN_AUTH_APP_SECRET",
		AppHost:   "https://YOUR_DOMAIN.genauth.ai",
	})
	if err != nil {
		log.Fatal(err)
	}
	return client
}

// askCode reads the code the user types in.
func askCode() string {
	var code string
	fmt.Scanln(&code)
	return code
}

// Sign-up by a code sent to the email address: the new user has a verified
// email and no password, and signs in with a login code.
func ExampleClient_SignUpByEmailCode() {
	client := exampleClient()
	ctx := context.Background()
	if err := client.SendEmail(ctx, "alice@example.com", authentication.ChannelRegister); err != nil {
		log.Fatal(err)
	}
	user, err := client.SignUpByEmailCode(ctx, "alice@example.com", askCode(),
		&authentication.SignUpProfile{Nickname: "Alice", Locale: "en-US"})
	var apiErr *authentication.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.APICode == 2031:
		log.Fatal("this application does not take sign-ups")
	case errors.As(err, &apiErr) && apiErr.StatusCode == 409:
		log.Fatal("the address is taken: sign in instead")
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(user.UserID, user.EmailVerified) // true
}

// A sign-up with a username and a password whose profile also gives an
// email, proven by a ChannelCompleteEmail code.
func ExampleSignUpProfile() {
	client := exampleClient()
	ctx := context.Background()
	if err := client.SendEmail(ctx, "bob@example.com", authentication.ChannelCompleteEmail); err != nil {
		log.Fatal(err)
	}
	user, err := client.SignUpByUsernamePassword(ctx, "bob", "correct horse battery", &authentication.SignUpProfile{
		Name:          "Bob",
		Email:         "bob@example.com",
		EmailPassCode: askCode(),
		CustomData:    map[string]any{"plan": "free"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(user.Username, user.Email, user.EmailVerified)
}

// Sign-in by a code sent by text message. For ChannelLogin the server
// answers the same whether or not the number is a user's.
func ExampleClient_SignInByPhonePassCode() {
	client := exampleClient()
	ctx := context.Background()
	if err := client.SendSMS(ctx, "13800000000", "+86", authentication.ChannelLogin); err != nil {
		log.Fatal(err) // statusCode 429: asked again within the minute
	}
	tokens, err := client.SignInByPhonePassCode(ctx, "13800000000", "+86", askCode(),
		&authentication.SignInOptions{Scope: "openid profile phone offline_access"})
	var apiErr *authentication.APIError
	if errors.As(err, &apiErr) && (apiErr.APICode == 2001 || apiErr.APICode == 2300) {
		log.Fatal("wrong, used or expired code: send a new one")
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tokens.AccessToken != "", tokens.RefreshToken != "")
}

// A forgotten password: a code to the user's email turns into a reset
// token, good once for 10 minutes, which sets the new password and signs
// the user out everywhere.
func ExampleClient_ResetPassword() {
	client := exampleClient()
	ctx := context.Background()
	// The answer is the same whether or not the address is a user's.
	if err := client.SendEmail(ctx, "alice@example.com", authentication.ChannelResetPassword); err != nil {
		log.Fatal(err)
	}
	reset, err := client.VerifyResetPasswordRequest(ctx, authentication.ResetRequest{Email: "alice@example.com", PassCode: askCode()})
	if err != nil {
		log.Fatal(err) // 403/2001: wrong code, or no user at that address
	}
	err = client.ResetPassword(ctx, reset.PasswordResetToken, "a brand new secret")
	var apiErr *authentication.APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == 400 {
		log.Fatal("the password policy refused it; the reset token still works: ", apiErr.Message)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// A change of email: a ChannelUpdateEmail code to the new address, and one
// to the current address when it is verified, give a grant that
// UpdateEmail spends within 60 seconds.
func ExampleClient_UpdateEmail() {
	client := exampleClient()
	ctx := context.Background()
	accessToken := "the user's access token"
	for _, to := range []string{"alice@new.example", "alice@example.com"} {
		if err := client.SendEmail(ctx, to, authentication.ChannelUpdateEmail); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Print("code sent to the new address: ")
	newCode := askCode()
	fmt.Print("code sent to the current address: ")
	oldCode := askCode()
	grant, err := client.VerifyUpdateEmailRequest(ctx, accessToken, authentication.EmailChange{
		NewEmail: "alice@new.example", NewEmailPassCode: newCode,
		OldEmail: "alice@example.com", OldEmailPassCode: oldCode,
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := client.UpdateEmail(ctx, accessToken, grant.UpdateEmailToken); err != nil {
		log.Fatal(err) // 409: the address was taken meanwhile
	}
}

// UpdateProfile changes only the fields that are set.
func ExampleClient_UpdateProfile() {
	client := exampleClient()
	nickname, gender := "Al", "F"
	user, err := client.UpdateProfile(context.Background(), "the user's access token", authentication.ProfileUpdate{
		Nickname: &nickname,
		Gender:   &gender,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(user.Nickname, user.Gender)
}

// A password change ends the user's other sessions; the access token used
// for it stays valid.
func ExampleClient_UpdatePassword() {
	client := exampleClient()
	err := client.UpdatePassword(context.Background(), "the user's access token", "correct horse battery", "a brand new secret")
	var apiErr *authentication.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.APICode == 2006:
		log.Fatal("the current password is wrong")
	case errors.As(err, &apiErr) && apiErr.StatusCode == 400:
		log.Fatal("the password policy refused the new one: ", apiErr.Message)
	case err != nil:
		log.Fatal(err)
	}
}

// Deleting the account: a ChannelDeleteAccount code to the user's email
// (or phone; a user with neither proves it with the password) gives a
// grant that DeleteAccount spends within 60 seconds.
func ExampleClient_DeleteAccount() {
	client := exampleClient()
	ctx := context.Background()
	accessToken := "the user's access token"
	if err := client.SendEmail(ctx, "alice@example.com", authentication.ChannelDeleteAccount); err != nil {
		log.Fatal(err)
	}
	grant, err := client.VerifyDeleteAccountRequest(ctx, accessToken, authentication.DeleteVerification{
		Email: "alice@example.com", PassCode: askCode(),
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := client.DeleteAccount(ctx, accessToken, grant.DeleteAccountToken); err != nil {
		log.Fatal(err)
	}
	// The access token is refused from now on.
}

// The user's sign-ins to this application over the last week, newest
// first, 20 a page.
func ExampleClient_GetLoginHistory() {
	client := exampleClient()
	history, err := client.GetLoginHistory(context.Background(), "the user's access token", authentication.LoginHistoryQuery{
		AppID: "GEN_AUTH_APP_ID",
		Start: time.Now().AddDate(0, 0, -7),
		Limit: 20,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(history.TotalCount, "sign-ins")
	for _, e := range history.List {
		fmt.Println(e.LoginAt, e.AppName, e.ClientIP, e.UserAgent)
	}
}

// A service can check its settings when it starts.
func ExampleClient_CheckAppIDSecret() {
	client := exampleClient()
	err := client.CheckAppIDSecret(context.Background())
	if errors.Is(err, authentication.ErrWrongAppSecret) {
		log.Fatal("GEN_AUTH_APP_SECRET is not this application's secret: ", err)
	}
	if err != nil {
		log.Fatal(err) // 404/2011: no such application
	}
}

// ValidatePassword checks a password without signing in; it still counts
// towards the user's lockout.
func ExampleClient_ValidatePassword() {
	client := exampleClient()
	ok, err := client.ValidatePassword(context.Background(), authentication.PasswordCheck{
		Email: "alice@example.com", Password: "correct horse battery",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ok)
}

// With PasswordEncryptRSA every call that sends a password encrypts it
// under the key the server publishes (GetSystemInfo); nothing else changes.
func ExampleOptions_rsaPasswords() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:               "GEN_AUTH_APP_ID",
		AppSecret:           "GEN_AUTH_APP_SECRET",
		AppHost:             "https://YOUR_DOMAIN.genauth.ai",
		PasswordEncryptType: authentication.PasswordEncryptRSA,
	})
	if err != nil {
		log.Fatal(err)
	}
	tokens, err := client.SignInByEmailPassword(context.Background(), "alice@example.com", "correct horse battery", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tokens.AccessToken != "")
}
