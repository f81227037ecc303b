// Package console owns the admin console under /console: server-rendered
// pages, in English and Chinese, through which an administrator runs GenAuth
// day to day (applications, users, upstream identity providers, the audit
// trail, signing keys, settings).
//
// It has no path of its own to the store for changes: every change goes
// through the same services as the management API (internal/account/*,
// internal/protocol/idtoken) and is recorded as an audit event naming the
// administrator. Reads that only the console makes (pages of users and
// events, counts) go through the small Store interface it declares.
//
// Administrators are users holding the user pool's admin role. They sign in
// on the hosted pages with a second factor; the console then starts its own
// session: a separate cookie, scoped to /console, SameSite=Strict, short, and
// every form carries a token bound to that session besides the same-origin
// check the hosted forms have. The role and the second factor are checked
// again on every request, so revoking either takes effect at once.
package console
