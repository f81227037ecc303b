// Package management serves the management API under /api/v3: users,
// applications, sessions and login history, in the envelope and with the two
// authentication schemes (management token, per-request HMAC signature) that
// GenAuth's management SDKs use. It owns the user pool's access key and the
// API's OpenAPI description. The work itself is done by the users and apps
// services, which the CLI calls too.
package management
