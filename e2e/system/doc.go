// Package system holds the system tests: they build the genauth binary once
// per test process and run it as separate processes, as an operator does,
// driving it only through its command line, HTTP and what it prints and
// writes. Nodes sharing one PostgreSQL database (cluster), kill -9 under
// load (crash, cluster kill), a backup taken beside a running server, a
// minute of mixed traffic (soak), a database restarted or a disk filled
// under load (faults), a GenAuth signing its users in through another
// GenAuth and a real slapd (upstream), and the benchmarks of a cluster and
// of a burst of sign-ins' memory. Unit and CLI tests live with their
// packages.
package system
