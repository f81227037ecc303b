package authentication_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/opengenauth/genauth/authentication"
)

// Sign-in with a directory account: the application's LDAP connection
// checks the login and password, and the first sign-in creates the
// GenAuth account.
func ExampleClient_SignInByLDAP() {
	client := exampleClient()
	tokens, err := client.SignInByLDAP(context.Background(), "alice", "her directory password", &authentication.SignInOptions{Scope: "openid profile email"})
	var apiErr *authentication.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.APICode == 2333:
		log.Fatal("wrong login or password")
	case errors.As(err, &apiErr) && apiErr.APICode == 2820002:
		log.Fatal("the application has no LDAP connection")
	case errors.As(err, &apiErr) && apiErr.StatusCode == 502:
		log.Fatal("the directory cannot be reached: try again later")
	case errors.As(err, &apiErr) && apiErr.MFA != nil:
		log.Fatal("a second factor is due: finish with apiErr.MFA.MFAToken")
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(tokens.AccessToken != "")
}

// The sign-in buttons of a login page: a browser starts each connection at
// its BindURL.
func ExampleClient_GetApplicationEnabledExtIdps() {
	client := exampleClient()
	list, err := client.GetApplicationEnabledExtIdps(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, idp := range list {
		fmt.Printf("<a href=%q>Sign in with %s</a>\n", idp.BindURL, idp.Name)
	}
}

// The user's linked accounts, and linking another one: the user, signed
// in, follows the link page and confirms there.
func ExampleClient_GenerateLinkExtIdpURL() {
	client := exampleClient()
	ctx := context.Background()
	tokens, err := client.SignInByUsernamePassword(ctx, "alice", "correct horse battery", nil)
	if err != nil {
		log.Fatal(err)
	}
	identities, err := client.GetIdentities(ctx, tokens.AccessToken)
	if err != nil {
		log.Fatal(err)
	}
	for _, i := range identities {
		fmt.Println(i.Provider, i.UserIDInIdp)
	}
	link, err := client.GenerateLinkExtIdpURL(ctx, "github", tokens.IDToken)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("open", link)
}

// Unlinking an upstream account, which is refused when it is the
// account's last way to sign in.
func ExampleClient_UnlinkExtIdp() {
	client := exampleClient()
	ctx := context.Background()
	err := client.UnlinkExtIdp(ctx, "ACCESS_TOKEN", "EXT_IDP_ID")
	var apiErr *authentication.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == 422:
		log.Fatal("set a password first: this is the account's only way to sign in")
	case errors.As(err, &apiErr) && apiErr.StatusCode == 404:
		log.Fatal("no account at that provider is linked")
	case err != nil:
		log.Fatal(err)
	}
}
