// Package wire is the one definition of the JSON answers GenAuth's protocol
// endpoints send and its Go SDK reads: the token response, the introspection
// response, the userinfo response and the RFC 6749 error; and of /api/v3, the
// data the authentication API answers (the UserDto, the sign-in token set and
// the rest) and GET system's answer.
//
// The server encodes TokenResponse, Introspection and ErrorResponse as they
// are; it writes userinfo through internal/protocol/claims (per scope, per
// claims format, in order, without reflection), which names the claims with
// this package's constants. The SDK (package authentication) decodes into
// these types and exports them under its own names (TokenSet, Introspection,
// UserInfo, Address) as aliases.
//
// The golden files of the protocol packages pin the server's encoding; this
// package's test decodes each of them into its type and encodes it again,
// so what the server sends and what the SDK reads cannot drift apart.
//
// Like the SDK, it depends only on the standard library.
package wire
