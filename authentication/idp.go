package authentication

import (
	"context"
	"net/http"
	"net/url"

	"github.com/opengenauth/genauth/internal/wire"
)

// ExtIdp is a connection to an upstream identity provider the application
// enables (GetApplicationEnabledExtIdps): its Identifier, ExtIdpID, Type
// (oidc, oauth2, ldap, ad), ExtIdpType ("social" or "enterprise"), BindURL
// (the page that starts it in a browser), Name, NameEn and Logo.
type ExtIdp = wire.ExtIdpEntry

// Identity is one of the user's linked upstream accounts (GetIdentities):
// IdentityID, ExtIdpID, Provider, Type ("openid" or "primary"),
// UserIDInIdp, UserInfoInIdp, the upstream's AccessToken and RefreshToken
// when kept, and OriginConnIDs.
type Identity = wire.Identity

// SignInByLDAP signs a user in with their login and password at the
// application's LDAP connection (POST <AppHost>/api/v3/signin, connection
// LDAP), authenticating the client as SignInByUsernamePassword does. The
// first sign-in creates the GenAuth account. A wrong login or password
// gives an *APIError with StatusCode 403 and APICode 2333; no LDAP
// connection enabled, 400 and APICode 2820002; a directory that cannot be
// reached, StatusCode 502.
func (c *Client) SignInByLDAP(ctx context.Context, sAMAccountName, password string, opts *SignInOptions) (*SignInTokens, error) {
	return c.signInAtDirectory(ctx, "LDAP", "ldapPayload", sAMAccountName, password, opts)
}

// SignInByAD is SignInByLDAP at the application's Active Directory connection.
func (c *Client) SignInByAD(ctx context.Context, sAMAccountName, password string, opts *SignInOptions) (*SignInTokens, error) {
	return c.signInAtDirectory(ctx, "AD", "adPayload", sAMAccountName, password, opts)
}

func (c *Client) signInAtDirectory(ctx context.Context, connection, payload, login, password string, opts *SignInOptions) (*SignInTokens, error) {
	pw, encrypt, err := c.sealPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"connection": connection,
		payload:      map[string]string{"sAMAccountName": login, "password": pw},
	}
	options := map[string]string{}
	if encrypt != "" {
		options["passwordEncryptType"] = encrypt
	}
	return c.signIn(ctx, body, options, opts)
}

// GetApplicationEnabledExtIdps lists the application's connections to
// upstream identity providers, in the order they were made
// (GET <AppHost>/api/v3/get-application-enabled-extidps).
func (c *Client) GetApplicationEnabledExtIdps(ctx context.Context) ([]ExtIdp, error) {
	var list []ExtIdp
	if err := c.callAPI(ctx, http.MethodGet, "get-application-enabled-extidps", nil, false, "", &list); err != nil {
		return nil, err
	}
	return list, nil
}

// GenerateLinkExtIdpURL returns the page where the user of idToken (an id
// token the server issued to this application, not expired) confirms and
// links their account at the OpenID Connect or OAuth 2.0 connection named
// identifier (GET <AppHost>/api/v3/generate-link-extidp-url). Send the
// user's browser there.
func (c *Client) GenerateLinkExtIdpURL(ctx context.Context, identifier, idToken string) (string, error) {
	q := url.Values{"ext_idp_conn_identifier": {identifier}, "app_id": {c.opts.AppID}, "id_token": {idToken}}
	var out wire.LinkURL
	if err := c.callAPI(ctx, http.MethodGet, "generate-link-extidp-url?"+q.Encode(), nil, false, "", &out); err != nil {
		return "", err
	}
	return out.URL, nil
}

// UnlinkExtIdp removes the user's linked identity at the upstream provider
// extIdpID (POST <AppHost>/api/v3/unlink-extidp). Not linked gives an
// *APIError with StatusCode 404; the account's last way to sign in, 422.
func (c *Client) UnlinkExtIdp(ctx context.Context, accessToken, extIdpID string) error {
	return c.callAPI(ctx, http.MethodPost, "unlink-extidp", map[string]string{"extIdpId": extIdpID}, false, accessToken, nil)
}

// GetIdentities lists the user's linked upstream accounts, oldest first
// (GET <AppHost>/api/v3/get-identities).
func (c *Client) GetIdentities(ctx context.Context, accessToken string) ([]Identity, error) {
	var list []Identity
	if err := c.callAPI(ctx, http.MethodGet, "get-identities", nil, false, accessToken, &list); err != nil {
		return nil, err
	}
	return list, nil
}
