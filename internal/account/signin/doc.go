// Package signin is the one password sign-in every surface goes through (the
// hosted /login form, the authentication API's signin), with a password of
// GenAuth's or of an LDAP or AD directory: the attempt reserved
// against the account and the address before the password is checked, the
// lockout, the users service's check, and the audit events. A surface adds
// only what is its own (a browser session, tokens).
package signin
