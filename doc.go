// Package genauth holds the domain types shared by every part of the GenAuth
// identity server (applications, users, sessions, authorization codes and
// tokens) and the sentinel errors its storage and services return.
//
// Protocol code, storage backends, the hosted pages and the CLI all speak in
// these types; none of them depends on another's internals.
package genauth
