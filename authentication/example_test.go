package authentication_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/opengenauth/genauth/authentication"
)

// The examples mirror the Python SDK's OAuth module documentation. Replace
// the placeholders with your application's settings; those that talk to a
// server have no output because they need a live one.

func ExampleNewClient() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:       "GEN_AUTH_APP_ID",
		AppSecret:   "GEN_AUTH_APP_SECRET",
		AppHost:     "https://YOUR_DOMAIN.genauth.ai",
		RedirectURI: "http://localhost:3000",
		Protocol:    authentication.ProtocolOAuth,
		// Optional; each defaults to client_secret_post.
		TokenEndpointAuthMethod: authentication.AuthClientSecretBasic,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.Protocol())
	// Output: oauth
}

func ExampleClient_BuildAuthorizeURL() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:       "5f17a529f64fb009b794a2ff",
		AppSecret:   "GEN_AUTH_APP_SECRET",
		AppHost:     "https://oidc1.genauth.ai",
		RedirectURI: "https://baidu.com",
		Protocol:    authentication.ProtocolOAuth,
	})
	if err != nil {
		log.Fatal(err)
	}
	// Keep the state (for example in a cookie) and compare it on the callback.
	// Left empty, a random one is generated.
	url, err := client.BuildAuthorizeURL(authentication.AuthorizeParams{
		Scope: "user",
		State: "7400704296715694",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(url)
	// Output: https://oidc1.genauth.ai/oauth/auth?client_id=5f17a529f64fb009b794a2ff&redirect_uri=https%3A%2F%2Fbaidu.com&response_type=code&scope=user&state=7400704296715694
}

func ExampleClient_GetAccessTokenByCode() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:       "GEN_AUTH_APP_ID",
		AppSecret:   "GEN_AUTH_APP_SECRET",
		AppHost:     "https://YOUR_DOMAIN.genauth.ai",
		RedirectURI: "http://localhost:3000",
		Protocol:    authentication.ProtocolOAuth,
	})
	if err != nil {
		log.Fatal(err)
	}
	code := "xxxx" // the code query parameter of the callback
	tokens, err := client.GetAccessTokenByCode(context.Background(), code)
	var apiErr *authentication.Error
	if errors.As(err, &apiErr) && apiErr.Code == "invalid_grant" {
		log.Fatal("the code was used, expired or is unknown: start the login again")
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tokens.AccessToken, tokens.TokenType, tokens.ExpiresIn, tokens.RefreshToken, tokens.Scope)
}

// With PKCE: the verifier stays on your side, the challenge goes into the
// login link, and the verifier comes with the code.
func ExampleWithCodeVerifier() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:       "GEN_AUTH_APP_ID",
		AppSecret:   "GEN_AUTH_APP_SECRET",
		AppHost:     "https://YOUR_DOMAIN.genauth.ai",
		RedirectURI: "http://localhost:3000",
		Protocol:    authentication.ProtocolOAuth,
	})
	if err != nil {
		log.Fatal(err)
	}
	verifier, err := authentication.GenerateCodeVerifier()
	if err != nil {
		log.Fatal(err)
	}
	challenge, err := authentication.CodeChallenge(verifier, authentication.ChallengeS256)
	if err != nil {
		log.Fatal(err)
	}
	loginURL, err := client.BuildAuthorizeURL(authentication.AuthorizeParams{
		CodeChallenge:       challenge,
		CodeChallengeMethod: authentication.ChallengeS256,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("send the user to", loginURL)

	code := "xxxx" // from the callback
	tokens, err := client.GetAccessTokenByCode(context.Background(), code, authentication.WithCodeVerifier(verifier))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tokens.AccessToken)
}

func ExampleClient_GetUserInfoByAccessToken() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:     "GEN_AUTH_APP_ID",
		AppSecret: "GEN_AUTH_APP_SECRET",
		AppHost:   "https://YOUR_DOMAIN.genauth.ai",
		Protocol:  authentication.ProtocolOAuth,
	})
	if err != nil {
		log.Fatal(err)
	}
	user, err := client.GetUserInfoByAccessToken(context.Background(), "Access token")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("user id:", user.Sub)
	if user.Email != nil { // nil: the server does not know it
		fmt.Println("email:", *user.Email)
	}
}

func ExampleClient_GetNewAccessTokenByRefreshToken() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:     "GEN_AUTH_APP_ID",
		AppSecret: "GEN_AUTH_APP_SECRET",
		AppHost:   "https://YOUR_DOMAIN.genauth.ai",
		Protocol:  authentication.ProtocolOAuth,
	})
	if err != nil {
		log.Fatal(err)
	}
	tokens, err := client.GetNewAccessTokenByRefreshToken(context.Background(), "Refresh Token")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tokens.AccessToken, tokens.ExpiresIn)
}

func ExampleClient_IntrospectToken() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:     "GEN_AUTH_APP_ID",
		AppSecret: "GEN_AUTH_APP_SECRET",
		AppHost:   "https://YOUR_DOMAIN.genauth.ai",
		Protocol:  authentication.ProtocolOAuth,
	})
	if err != nil {
		log.Fatal(err)
	}
	in, err := client.IntrospectToken(context.Background(), "Access Token")
	if err != nil {
		log.Fatal(err) // the check itself failed, e.g. wrong app secret
	}
	if !in.Active {
		fmt.Println("expired, revoked or unknown")
		return
	}
	fmt.Println(in.Sub, in.Scope, in.ExpiresAt())
}

func ExampleClient_RevokeToken() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:       "GEN_AUTH_APP_ID",
		AppSecret:   "GEN_AUTH_APP_SECRET",
		AppHost:     "https://YOUR_DOMAIN.genauth.ai",
		RedirectURI: "GEN_AUTH_APP_REDIRECT_URI",
	})
	if err != nil {
		log.Fatal(err)
	}
	success, err := client.RevokeToken(context.Background(), "xxxx")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(success)
}

func ExampleClient_BuildLogoutURL() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:     "GEN_AUTH_APP_ID",
		AppSecret: "GEN_AUTH_APP_SECRET",
		AppHost:   "https://YOUR_DOMAIN.genauth.ai",
		Protocol:  authentication.ProtocolOAuth,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.BuildLogoutURL(authentication.LogoutParams{RedirectURI: "http://localhost:3000"}))
	// Output: https://YOUR_DOMAIN.genauth.ai/login/profile/logout?redirect_uri=http%3A%2F%2Flocalhost%3A3000
}

func ExampleCodeChallenge() {
	// The example of RFC 7636 Appendix B.
	challenge, err := authentication.CodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", authentication.ChallengeS256)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(challenge)
	// Output: E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
}

func ExampleGenerateCodeVerifier() {
	verifier, err := authentication.GenerateCodeVerifier()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(verifier))
	// Output: 43
}

func ExampleClient_RequireToken() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:     "GEN_AUTH_APP_ID",
		AppSecret: "GEN_AUTH_APP_SECRET",
		AppHost:   "https://YOUR_DOMAIN.genauth.ai",
		Protocol:  authentication.ProtocolOAuth,
	})
	if err != nil {
		log.Fatal(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, _ := authentication.IntrospectionFromContext(r.Context())
		fmt.Fprintf(w, "hello, user %s\n", in.Sub)
	})
	http.Handle("/api/", client.RequireToken(api))
	log.Fatal(http.ListenAndServe("localhost:4000", nil))
}

func ExampleClient_VerifyAccessToken() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:    "GEN_AUTH_APP_ID",
		AppHost:  "https://YOUR_DOMAIN.genauth.ai",
		Protocol: authentication.ProtocolOIDC,
	})
	if err != nil {
		log.Fatal(err)
	}
	// Offline: the signature against the JWKS, iss, aud and exp. A revoked
	// token passes until it expires; IntrospectToken sees revocation.
	in, err := client.VerifyAccessToken(context.Background(), "JWT Access Token")
	if errors.Is(err, authentication.ErrInvalidAccessToken) {
		fmt.Println("refuse the request:", err)
		return
	}
	if err != nil {
		log.Fatal(err) // the keys could not be fetched: neither good nor bad
	}
	fmt.Println(in.Sub, in.Scope, in.ExpiresAt())
}

func ExampleWithRevocationCheck() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:     "GEN_AUTH_APP_ID",
		AppSecret: "GEN_AUTH_APP_SECRET",
		AppHost:   "https://YOUR_DOMAIN.genauth.ai",
		Protocol:  authentication.ProtocolOIDC,
	})
	if err != nil {
		log.Fatal(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, _ := authentication.IntrospectionFromContext(r.Context())
		fmt.Fprintf(w, "hello, user %s\n", in.Sub)
	})
	// JWT access tokens verify offline; this also introspects them (cached
	// for DefaultCacheTTL), so a revoked one stops working within 30 s.
	http.Handle("/api/", client.RequireToken(api, authentication.WithRevocationCheck()))
	log.Fatal(http.ListenAndServe("localhost:4000", nil))
}

func ExampleClient_SignInByUsernamePassword() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:     "GEN_AUTH_APP_ID",
		AppSecret: "GEN_AUTH_APP_SECRET",
		AppHost:   "https://YOUR_DOMAIN.genauth.ai",
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	tokens, err := client.SignInByUsernamePassword(ctx, "alice", "correct horse battery",
		&authentication.SignInOptions{Scope: "openid profile offline_access"})
	var apiErr *authentication.APIError
	if errors.As(err, &apiErr) && apiErr.APICode == 2333 {
		log.Fatal("wrong username or password")
	}
	if err != nil {
		log.Fatal(err)
	}
	user, err := client.GetProfile(ctx, tokens.AccessToken, false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(user.UserID, tokens.ExpiresIn)
}

func ExampleClient_SignInByEmailPassCode() {
	client, err := authentication.NewClient(authentication.Options{
		AppID:     "GEN_AUTH_APP_ID",
		AppSecret: "GEN_AUTH_APP_SECRET",
		AppHost:   "https://YOUR_DOMAIN.genauth.ai",
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	// The user receives a 6-digit code, valid for 5 minutes, and types it in.
	if err := client.SendEmail(ctx, "alice@example.com", authentication.ChannelLogin); err != nil {
		log.Fatal(err) // statusCode 429: asked again within the minute
	}
	var code string
	fmt.Scanln(&code)
	tokens, err := client.SignInByEmailPassCode(ctx, "alice@example.com", code, nil)
	var apiErr *authentication.APIError
	if errors.As(err, &apiErr) && (apiErr.APICode == 2001 || apiErr.APICode == 2300) {
		log.Fatal("wrong, used or expired code: send a new one")
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tokens.AccessToken != "")
}
