// Package loadtest is the logic of `genauth bench`: it starts GenAuth
// in-process on a loopback listener over a fresh temporary database (SQLite
// in a temporary directory, or a PostgreSQL database it creates and drops),
// seeds applications, users and live tokens, and drives the protocol
// endpoints with a fixed number of concurrent clients for a fixed time.
// Every response is checked, so a wrong answer counts as an error rather
// than as throughput.
package loadtest
