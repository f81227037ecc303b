// Package blackbox is what tests that see a running GenAuth server from
// outside share: the wire types of the answers they decode, a GET, the
// fields the first start prints, and a buffer that a server's log is written
// into. The CLI tests of serve (cmd/genauth, the server in the test process)
// and the system tests (e2e/system, the binary in processes of its own) use
// it, so that neither keeps a copy.
package blackbox
