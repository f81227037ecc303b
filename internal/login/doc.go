// Package login owns the hosted, server-rendered pages a person sees: sign in,
// registration, the home page, sign out (including the SDKs' front-channel
// `/login/profile/logout`) and the readable error page. It turns a correct
// password into a browser session (internal/session); the protocol endpoints
// in internal/oauth send people here and read that session back.
package login
