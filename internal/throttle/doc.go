// Package throttle owns the abuse limits of the hosted pages: sign-in
// failures per account and per client address with exponential back-off and
// a temporary lockout, and registrations per address. The counts live in the
// database, so they hold across restarts and across nodes.
package throttle
