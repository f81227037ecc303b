// Package metrics owns GenAuth's Prometheus metrics: HTTP requests by route,
// security events counted from the audit trail (tokens, sign-ins,
// registrations), the database's pools, active sessions and query latency,
// the TLS certificate's expiry and the build. Every name starts with
// genauth_; the handler is served on its own listener (--metrics-addr).
package metrics
