// Package authn serves GenAuth's v3 authentication API under /api/v3 (the
// end-user half the SDKs' AuthenticationClient calls): which application a
// call is for (the app id header), the client authentication of the
// token-issuing calls (as /oidc/token does it), the user's access token of
// the calls on their own account, and the language of the messages. Its
// answers travel in the envelope it shares with the management API. The
// work is the services': sign-in through internal/account/signin, tokens
// through the token endpoint's code. (The public SDK owns the name
// `authentication`.)
package authn
