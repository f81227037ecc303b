// Package sessions owns the browser session at the hosted pages: a random id
// in an HttpOnly cookie, stored server-side only as a hash, so that logging
// out really ends it.
package sessions
