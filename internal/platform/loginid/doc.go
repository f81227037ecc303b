// Package loginid is the one normalisation of the logins people type:
// usernames (RFC 8265's PRECIS UsernameCaseMapped profile), email addresses
// (trimmed, compared case-insensitively) and phone numbers (trimmed). Every
// path that stores, finds, compares or counts a login uses it, so that the
// variants of one login (case, width, surrounding spaces of any kind) are
// one account, or refused alike. The stores use it too, which is why it is a
// package of its own rather than part of internal/account/users.
package loginid
