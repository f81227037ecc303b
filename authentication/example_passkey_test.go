package authentication_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"

	"github.com/opengenauth/genauth/authentication"
)

// A passwordless sign-in by passkey. The browser (or a platform
// authenticator) does the cryptography: it takes the options, and the
// server takes its answer back, both as JSON:
//
//	const options = PublicKeyCredential.parseRequestOptionsFromJSON(authenticationOptions);
//	const credential = await navigator.credentials.get({publicKey: options});
//	send(JSON.stringify(credential.toJSON()));
//
// The server's public URL must have a domain name (localhost included):
// browsers refuse an IP address as the relying party.
func ExampleClient_VerifyAuthentication() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:     "GEN_AUTH_APP_ID",
		AppSecret: "GEN_AUTH_APP_SECRET",
		AppHost:   "https://YOUR_DOMAIN.genauth.ai",
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	// "" starts a passwordless sign-in; an mfaToken, the second factor of that sign-in.
	start, err := client.InitAuthenticationOptions(ctx, "")
	if err != nil {
		log.Fatal(err)
	}
	// The page runs navigator.credentials.get with start.AuthenticationOptions
	// and sends back credential.toJSON(): that JSON goes here.
	var credential json.RawMessage
	v, err := client.VerifyAuthentication(ctx, "", start.Ticket, credential, nil)
	var apiErr *authentication.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.MFA != nil:
		// The passkey did not verify the user: a second factor follows, with apiErr.MFA.MFAToken.
	case err != nil:
		log.Fatal(err)
	case !v.Verified:
		fmt.Println("the passkey was refused")
	default:
		fmt.Println("signed in:", v.TokenSet.AccessToken != "")
	}
}
