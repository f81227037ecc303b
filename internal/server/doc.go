// Package server assembles GenAuth's HTTP handler: it builds the services
// from a store, lets each feature package register its routes on one
// ServeMux, and serves /healthz and /readyz.
package server
