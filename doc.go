// Package genauth is the root of the GenAuth identity server's module. Its
// public surface is the Go SDK, package authentication, and the binary,
// cmd/genauth; everything else lives under internal/ (see
// docs/architecture.md for the layers).
package genauth
