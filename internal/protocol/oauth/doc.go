// Package oauth owns GenAuth's OAuth 2.0 protocol endpoints, served under
// both /oauth and /oidc: authorize (code and implicit, PKCE), token (one file
// per grant), userinfo, introspection (RFC 7662) and revocation (RFC 7009).
// Authorize answers only a browser session that proved what the request
// needs: a session with one factor where acr_values or the MFA policy asks
// two goes to the hosted step-up page first.
//
// Requests are parsed once into values, failures are *Error values, and
// writeError is the only place a protocol error reaches the wire.
package oauth
