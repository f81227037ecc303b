package authentication

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/opengenauth/genauth/internal/wire"
)

// PasskeyRegistration is what InitRegisterOptions answers: the
// RegistrationOptions to hand to navigator.credentials.create (through
// PublicKeyCredential.parseCreationOptionsFromJSON) and the Ticket that
// VerifyRegister takes back.
type PasskeyRegistration = wire.PasskeyRegistration

// PasskeyAuthentication is what InitAuthenticationOptions answers: the
// AuthenticationOptions for navigator.credentials.get (through
// parseRequestOptionsFromJSON) and the Ticket for VerifyAuthentication.
type PasskeyAuthentication = wire.PasskeyAuthentication

// PasskeyVerified is the answer of VerifyRegister and VerifyAuthentication:
// Verified false for a credential that failed the server's checks, and the
// TokenSet of a sign-in that ended.
type PasskeyVerified = wire.PasskeyVerified

// VerifyRegisterRequest is what VerifyRegister sends.
type VerifyRegisterRequest struct {
	Ticket string
	// Credential is the JSON of the new PublicKeyCredential
	// (credential.toJSON() in the browser).
	Credential json.RawMessage
	// AuthenticatorCode is "fingerprint", "face", "other" or empty.
	AuthenticatorCode string
	// Name tells the user's passkeys apart (GenAuth's extension); empty
	// means "Passkey".
	Name string
}

// InitRegisterOptions starts registering a passkey for the user of
// accessToken (GET <AppHost>/api/v3/webauthn/registration); it needs a
// sign-in within the last 15 minutes. A server whose public URL is an IP
// address offers no passkeys: an *APIError with StatusCode 501.
func (c *Client) InitRegisterOptions(ctx context.Context, accessToken string) (*PasskeyRegistration, error) {
	var r PasskeyRegistration
	if err := c.callAPI(ctx, http.MethodGet, "webauthn/registration", nil, false, accessToken, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// VerifyRegister registers the passkey the browser created with
// InitRegisterOptions' options (POST <AppHost>/api/v3/webauthn/registration).
// Called with the mfaToken of a sign-in that must enroll, the answer
// carries that sign-in's TokenSet.
func (c *Client) VerifyRegister(ctx context.Context, accessToken string, r VerifyRegisterRequest) (*PasskeyVerified, error) {
	body := map[string]any{"ticket": r.Ticket, "registrationCredential": r.Credential}
	if r.AuthenticatorCode != "" {
		body["authenticatorCode"] = r.AuthenticatorCode
	}
	if r.Name != "" {
		body["name"] = r.Name
	}
	var v PasskeyVerified
	if err := c.callAPI(ctx, http.MethodPost, "webauthn/registration", body, false, accessToken, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// InitAuthenticationOptions starts a sign-in by passkey (GET
// <AppHost>/api/v3/webauthn/authentication): with mfaToken empty, a
// passwordless one with any passkey of the user's choice; with the
// MFAToken of APIError.MFA, the second factor of that sign-in, offering
// its user's passkeys only.
func (c *Client) InitAuthenticationOptions(ctx context.Context, mfaToken string) (*PasskeyAuthentication, error) {
	var a PasskeyAuthentication
	if err := c.callAPI(ctx, http.MethodGet, "webauthn/authentication", nil, false, mfaToken, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// VerifyAuthentication sends the assertion (credential.toJSON() of
// navigator.credentials.get) for InitAuthenticationOptions' ticket (POST
// <AppHost>/api/v3/webauthn/authentication), with the same mfaToken. A
// passwordless sign-in authenticates the client as the password sign-ins
// do, and fails with an *APIError whose MFA is set when a second factor
// must follow (a passkey that did not verify its user is one factor).
func (c *Client) VerifyAuthentication(ctx context.Context, mfaToken, ticket string, credential json.RawMessage, opts *SignInOptions) (*PasskeyVerified, error) {
	body := map[string]any{"ticket": ticket, "authenticationCredential": credential}
	if opts != nil && opts.Scope != "" {
		body["options"] = map[string]string{"scope": opts.Scope}
	}
	basic := false
	if mfaToken == "" {
		switch c.opts.TokenEndpointAuthMethod {
		case AuthClientSecretPost:
			body["client_id"], body["client_secret"] = c.opts.AppID, c.opts.AppSecret
		case AuthClientSecretBasic:
			basic = true
		}
	}
	var v PasskeyVerified
	if err := c.callAPI(ctx, http.MethodPost, "webauthn/authentication", body, basic, mfaToken, &v); err != nil {
		return nil, err
	}
	return &v, nil
}
