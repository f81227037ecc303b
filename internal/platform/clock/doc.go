// Package clock holds the settable clock that tests inject wherever GenAuth
// takes a `Now func() time.Time`, so that expiry is tested without sleeping.
package clock
