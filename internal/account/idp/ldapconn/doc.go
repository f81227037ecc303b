// Package ldapconn signs users in against an LDAP directory or Active
// Directory (github.com/go-ldap/ldap/v3): it binds as the connection's
// service account, finds the one entry the login names with the
// connection's filter (the login escaped, so it cannot change the filter),
// binds as that entry with the password, and maps its attributes to an
// upstream profile. It speaks ldap://, ldaps:// and StartTLS, trusts the
// connection's CA certificates or the system's, and bounds every exchange
// by a timeout and the caller's context.
package ldapconn
