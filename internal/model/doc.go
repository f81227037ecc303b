// Package model holds the domain records every part of GenAuth speaks in
// (applications, users, sessions, authorization codes, tokens, signing keys,
// consents, throttles, audit events) and the sentinel errors storage and
// services return. It is private to the server: records such as SecretHash
// and PasswordHash are persistence details, never part of the public API.
package model
