package authentication_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/opengenauth/genauth/authentication"
)

func ExampleClient_VerifyIDToken() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:       "GEN_AUTH_APP_ID",
		AppSecret:   "GEN_AUTH_APP_SECRET",
		AppHost:     "https://YOUR_DOMAIN.genauth.ai",
		RedirectURI: "http://localhost:3000/callback",
		Protocol:    authentication.ProtocolOIDC,
		// The application's id token signing algorithm; RS256 when left empty.
		IDTokenAlg: authentication.AlgES256,
	})
	if err != nil {
		log.Fatal(err)
	}
	// At login: keep the nonce (and the state) in the user's login session.
	nonce, err := authentication.GenerateNonce()
	if err != nil {
		log.Fatal(err)
	}
	loginURL, err := client.BuildAuthorizeURL(authentication.AuthorizeParams{Nonce: nonce})
	if err != nil {
		log.Fatal(err)
	}
	_ = loginURL // redirect the browser there

	// On the callback: exchange the code, then check the id token locally.
	ctx := context.Background()
	tokens, err := client.GetAccessTokenByCode(ctx, "CODE_FROM_THE_CALLBACK")
	if err != nil {
		log.Fatal(err)
	}
	idToken, err := client.VerifyIDToken(ctx, tokens.IDToken,
		authentication.WithNonce(nonce),
		authentication.WithAccessToken(tokens.AccessToken))
	switch {
	case errors.Is(err, authentication.ErrTokenExpired):
		log.Fatal("the sign-in took too long; start again")
	case errors.Is(err, authentication.ErrInvalidIDToken):
		log.Fatalf("refusing the id token: %v", err)
	case err != nil:
		log.Fatalf("could not check the id token now: %v", err) // JWKS unreachable
	}
	fmt.Println("signed in:", idToken.Subject, "session", idToken.SessionID)
	if idToken.User.Email != nil {
		fmt.Println("email:", *idToken.User.Email)
	}
}

func ExampleNewIDTokenVerifier() {
	// Without a Client, for example in a service that only receives id tokens.
	verifier, err := authentication.NewIDTokenVerifier(authentication.VerifierConfig{
		Issuer:    "https://YOUR_DOMAIN.genauth.ai/oidc",
		ClientID:  "GEN_AUTH_APP_ID",
		Algorithm: authentication.AlgRS256,
	})
	if err != nil {
		log.Fatal(err)
	}
	idToken, err := verifier.Verify(context.Background(), "RAW_ID_TOKEN")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(idToken.Subject)
}
