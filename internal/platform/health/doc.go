// Package health tracks whether the database serves, as requests find it.
// The first failure that is model.ErrUnavailable marks it down, with one
// log line; a probe then tries a write every second until one succeeds,
// which marks it up again, with one more line. /readyz and the metrics
// report the state; every surface answers a temporary failure (an
// unavailable database, or model.ErrBusy) with 503 and Retry-After.
package health
