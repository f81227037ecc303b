// Package edge is what every request passes through before GenAuth's
// routes: the client address and scheme as a trusted reverse proxy reports
// them (X-Forwarded-For, X-Forwarded-Proto), a request id (X-Request-Id),
// one access log line and the request metrics. It never logs a query string
// or a header value: protocol requests carry codes and tokens there.
//
// Routes registers every route of the hosted pages, the protocol endpoints
// and the management API behind CheckText, which refuses a parameter that
// is not text (a NUL byte, invalid UTF-8) once, for every backend, in the
// format of the route's surface.
package edge
