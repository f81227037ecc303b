// Package admins owns the user pool's administrators (issue 18): the admin
// role, given and taken by an administrator or the CLI, never taken from
// the last one, and the one-time link that makes the first administrator
// when there is none. The link's token is 256 random bits, stored only as
// its SHA-256, good for 24 hours and replaced at each start that finds no
// administrator; the console serves the link.
package admins
