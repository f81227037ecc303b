// Package server assembles GenAuth's HTTP handler: it builds the services
// from a store, lets each feature package register its routes on one
// ServeMux, and serves /healthz and /readyz.
//
// Store is the union of the store interfaces its parts declare; New hands
// each part only its own. The decorators on it live here too: the
// application cache in front of the protocol endpoints (appcache.go) and
// Timed, which times every store operation for the metrics.
package server
