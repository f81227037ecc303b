// Package idp owns upstream identity providers (issue 17): the ExtIdps
// GenAuth signs users in with (OpenID Connect, OAuth 2.0, LDAP, Active
// Directory), their connections and which applications enable them, and
// the identities that link users to upstream accounts.
//
// It decides the rules; the upstream protocols are the connectors' (the
// Web and Directory interfaces, implemented by oidcconn and ldapconn). A
// web sign-in is a Flow (state, nonce and PKCE verifier drawn here) that the
// pages keep sealed in a cookie between Begin and Complete. SignIn maps the
// upstream account to a user: its linked identity, else a new account
// created just in time; an account that has the same email is linked only
// through a proven path (the user signs in to it, or both emails are
// verified and the user confirms: LinkNeeded), never by an unverified
// email. Unlink keeps at least one way to sign in.
//
// Connection secrets (client secrets, bind passwords) and upstream tokens
// are stored sealed under the server key. The presets (github, google) are
// data files, embedded.
package idp
