// Command webapp is an example web application that signs users in with
// GenAuth through the Go SDK (package authentication): authorization code
// with PKCE, a profile page, an API protected by RequireToken, and sign-out
// with RevokeToken and BuildLogoutURL. See README.md for how to run it.
package main
