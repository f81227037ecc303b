// Package apps owns applications (OAuth clients): validating their settings,
// minting app ids and secrets, checking a presented secret, and changing,
// listing and deleting applications. The CLI, the server's first-start demo
// application and the management API all go through it.
package apps
