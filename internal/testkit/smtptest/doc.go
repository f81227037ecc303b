// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp)
// on a loopback socket for tests: plain, with STARTTLS or implicit TLS
// under a certificate made for the test, with or without AUTH PLAIN, and
// hands over each message received, parsed into its parts.
package smtptest
