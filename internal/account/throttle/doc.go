// Package throttle owns the abuse limits of the hosted pages: sign-in
// failures per account and per client address with exponential back-off and
// a temporary lockout, and registrations per address. A sign-in attempt is
// counted before its password is checked (Begin), atomically in the
// database, so that concurrent guesses cannot outrun the limit; the counts
// hold across restarts and across nodes. The attempt that reaches a limit
// locks only while it is judged (Policy.Pending): its failure confirms the
// whole lock, its success lifts it, so that sign-ins in flight that succeed,
// as many users behind one address make, lock no one out for long.
package throttle
