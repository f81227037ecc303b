// Package slapdtest runs a real OpenLDAP server (Debian's slapd) for tests:
// a child process on free loopback ports with its configuration and an mdb
// database in the test's temporary directory, seeded with a few people and a
// read-only service account, and optionally LDAPS and StartTLS under a CA
// made for the test.
//
// slapd and its tools come from Debian's slapd package (scripts/test-deps.sh
// installs it). When they are missing the test is skipped with one line,
// except under CI=true, where that is a failure: CI must not pass by skipping.
package slapdtest
