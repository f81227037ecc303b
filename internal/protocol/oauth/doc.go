// Package oauth owns GenAuth's OAuth 2.0 protocol endpoints, served under
// both /oauth and /oidc: authorize (code and implicit, PKCE), token (one file
// per grant), userinfo, introspection (RFC 7662) and revocation (RFC 7009).
//
// Requests are parsed once into values, failures are *Error values, and
// writeError is the only place a protocol error reaches the wire.
package oauth
