// Package sweep deletes expired sessions, authorization codes and tokens in
// the background, in bounded batches, so that tables do not grow without
// bound. It works on any store.Store; every node of a cluster may run it at
// once, because DeleteExpired is safe to call concurrently.
package sweep
