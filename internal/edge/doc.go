// Package edge is what every request passes through before GenAuth's
// routes: the client address and scheme as a trusted reverse proxy reports
// them (X-Forwarded-For, X-Forwarded-Proto), a request id (X-Request-Id),
// one access log line and the request metrics. It never logs a query string
// or a header value: protocol requests carry codes and tokens there.
package edge
