// Package tlsreload serves a certificate and key read from files, swapped
// atomically when Reload reads them again (on SIGHUP): connections already
// open keep theirs, new handshakes get the new one, nothing is dropped.
package tlsreload
