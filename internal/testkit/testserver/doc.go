// Package testserver runs a real GenAuth server on a loopback port for
// end-to-end tests: SQLite in a temp dir or a fresh PostgreSQL database
// (StartPostgres, Backends), an injected clock, and helpers that
// create applications and users and sign a user in through the hosted login
// form with a cookie-jar client.
package testserver
