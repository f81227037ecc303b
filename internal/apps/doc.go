// Package apps owns applications (OAuth clients): validating their settings,
// minting app ids and secrets, and checking a presented secret. The CLI, the
// server's first-start demo application and the management API all create
// applications through it.
package apps
