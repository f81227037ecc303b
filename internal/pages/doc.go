// Package pages owns the hosted, server-rendered pages a person sees: sign in,
// registration, password reset ("Forgot password?", by a code sent by
// email), consent, the home page, sign out (including the SDKs'
// front-channel `/login/profile/logout`) and the readable error page, with
// their stylesheet and icon. Pages speak the reader's language (internal/pages/i18n):
// templates hold no words, only translation keys. It turns a correct password
// into a browser session (internal/account/sessions); the protocol endpoints in
// internal/protocol/oauth send people here and read that session back.
//
// Second factors (mfa.go) and passkeys (passkey.go) follow the first step.
// Passkeys are the pages' only script: assets/passkey.js asks a begin
// endpoint (JSON) for the WebAuthn options, runs the browser's ceremony and
// posts the credential in an ordinary form, so that every answer is a page;
// without the script the passkey forms stay hidden.
//
// Upstream identity providers (idp.go, idpaccount.go) add a link per
// connection to the sign-in page: a web sign-in goes to the provider and
// back to its callback with its flow in a sealed cookie, a directory one
// posts the LDAP/AD form; both end in the same finishSignIn. The account
// page lists linked accounts, links (after a recent sign-in) and unlinks
// them; a link ticket from the API gets a page that asks first.
package pages
