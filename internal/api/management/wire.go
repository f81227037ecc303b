package management

import (
	"time"

	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/wire"
)

func newUserList(list []*model.User) []wire.User {
	out := make([]wire.User, 0, len(list))
	for _, u := range list {
		out = append(out, envelope.NewUser(u))
	}
	return out
}

// oidcConfigJSON is an application's protocol settings, in snake_case as
// GenAuth writes them.
type oidcConfigJSON struct {
	GrantTypes                      []string `json:"grant_types"`
	ResponseTypes                   []string `json:"response_types"`
	TokenEndpointAuthMethod         string   `json:"token_endpoint_auth_method"`
	IntrospectionEndpointAuthMethod string   `json:"introspection_endpoint_auth_method"`
	RevocationEndpointAuthMethod    string   `json:"revocation_endpoint_auth_method"`
	IDTokenSignedResponseAlg        string   `json:"id_token_signed_response_alg"`
	AuthorizationCodeExpire         int64    `json:"authorization_code_expire"`
	IDTokenExpire                   int64    `json:"id_token_expire"`
	AccessTokenExpire               int64    `json:"access_token_expire"`
	RefreshTokenExpire              int64    `json:"refresh_token_expire"`
	SkipConsent                     bool     `json:"skip_consent"`
	AllowedScopes                   string   `json:"allowed_scopes"`
	ClaimsFormat                    string   `json:"claims_format"`
	AccessTokenFormat               string   `json:"access_token_format"`
}

// applicationJSON is the management API's Application; the secret is never in it.
type applicationJSON struct {
	AppID              string   `json:"appId"`
	AppIdentifier      string   `json:"appIdentifier"`
	AppName            string   `json:"appName"`
	AppLogo            string   `json:"appLogo"`
	AppDescription     string   `json:"appDescription"`
	AppType            string   `json:"appType"`
	UserPoolID         string   `json:"userPoolId"`
	DefaultProtocol    string   `json:"defaultProtocol"`
	RedirectURIs       []string `json:"redirectUris"`
	LogoutRedirectURIs []string `json:"logoutRedirectUris"`
	InitLoginURI       string   `json:"initLoginUri"`
	SSOEnabled         bool     `json:"ssoEnabled"`
	// RegistrationClosed and RegistrationEmailVerify are GenAuth's own settings.
	RegistrationClosed      bool     `json:"registrationClosed"`
	RegistrationEmailVerify bool     `json:"registrationEmailVerify"`
	WebOrigins              []string `json:"webOrigins"` // empty: the redirectUris' origins
	// MFAPolicy is GenAuth's: off, optional or required (the pool's may be stricter).
	MFAPolicy  string         `json:"mfaPolicy"`
	OIDCConfig oidcConfigJSON `json:"oidcConfig"`
}

func newApplicationJSON(a *model.Application, poolID string) applicationJSON {
	return applicationJSON{
		AppID:                   a.ID,
		AppIdentifier:           a.AppIdentifier,
		AppName:                 a.Name,
		AppLogo:                 a.Logo,
		AppDescription:          a.Description,
		AppType:                 orDefault(a.AppType, model.AppTypeWeb),
		UserPoolID:              poolID,
		DefaultProtocol:         orDefault(a.DefaultProtocol, model.ProtocolOIDC),
		RedirectURIs:            nonNil(a.RedirectURIs),
		LogoutRedirectURIs:      nonNil(a.LogoutRedirectURIs),
		InitLoginURI:            a.InitLoginURI,
		SSOEnabled:              a.SSOEnabled,
		RegistrationClosed:      a.RegistrationClosed,
		RegistrationEmailVerify: a.RegistrationEmailVerify,
		WebOrigins:              nonNil(a.WebOrigins),
		MFAPolicy:               orDefault(a.MFAPolicy, model.MFAOff),
		OIDCConfig: oidcConfigJSON{
			GrantTypes:                      nonNil(a.GrantTypes),
			ResponseTypes:                   responseTypes(a),
			TokenEndpointAuthMethod:         a.TokenAuthMethod,
			IntrospectionEndpointAuthMethod: a.IntrospectionAuthMethod,
			RevocationEndpointAuthMethod:    a.RevocationAuthMethod,
			IDTokenSignedResponseAlg:        a.IDTokenAlg,
			AuthorizationCodeExpire:         seconds(model.AuthCodeTTL),
			IDTokenExpire:                   seconds(a.IDTokenTTL),
			AccessTokenExpire:               seconds(a.AccessTokenTTL),
			RefreshTokenExpire:              seconds(a.RefreshTokenTTL),
			SkipConsent:                     !a.RequireConsent,
			AllowedScopes:                   a.AllowedScopes,
			ClaimsFormat:                    orDefault(a.ClaimsFormat, model.ClaimsStandard),
			AccessTokenFormat:               orDefault(a.AccessTokenFormat, model.AccessTokenOpaque),
		},
	}
}

// responseTypes are the response_type values the application's grants allow.
func responseTypes(a *model.Application) []string {
	out := []string{}
	if a.AllowsGrant(model.GrantAuthorizationCode) {
		out = append(out, "code")
	}
	if a.AllowsGrant(model.GrantImplicit) {
		out = append(out, "id_token token", "id_token", "token")
	}
	return out
}

func seconds(d time.Duration) int64 { return int64(d / time.Second) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
