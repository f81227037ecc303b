// Package sweep deletes expired sessions, authorization codes, tokens and
// throttle rows, and audit events past their retention, in the background,
// in bounded batches, so that tables do not grow without bound. It works on
// any Deleter; every node of a cluster may run it at once, because the
// store's deletions are safe to call concurrently.
package sweep
