package management

import (
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// userJSON is the management API's User. The password never leaves the server.
type userJSON struct {
	UserID            string         `json:"userId"`
	CreatedAt         string         `json:"createdAt"`
	UpdatedAt         string         `json:"updatedAt"`
	Status            string         `json:"status"`
	Gender            string         `json:"gender"`
	EmailVerified     bool           `json:"emailVerified"`
	PhoneVerified     bool           `json:"phoneVerified"`
	UserSourceType    string         `json:"userSourceType"`
	Username          string         `json:"username,omitempty"`
	Email             string         `json:"email,omitempty"`
	Phone             string         `json:"phone,omitempty"`
	ExternalID        string         `json:"externalId,omitempty"`
	Name              string         `json:"name,omitempty"`
	Nickname          string         `json:"nickname,omitempty"`
	Photo             string         `json:"photo,omitempty"`
	LoginsCount       int            `json:"loginsCount"`
	LastLogin         string         `json:"lastLogin,omitempty"`
	LastIP            string         `json:"lastIp,omitempty"`
	GivenName         string         `json:"givenName,omitempty"`
	FamilyName        string         `json:"familyName,omitempty"`
	MiddleName        string         `json:"middleName,omitempty"`
	PreferredUsername string         `json:"preferredUsername,omitempty"`
	Profile           string         `json:"profile,omitempty"`
	Website           string         `json:"website,omitempty"`
	Birthdate         string         `json:"birthdate,omitempty"`
	Zoneinfo          string         `json:"zoneinfo,omitempty"`
	Locale            string         `json:"locale,omitempty"`
	Address           string         `json:"address,omitempty"`
	CustomData        map[string]any `json:"customData"`
}

func newUserJSON(u *model.User) userJSON {
	out := userJSON{
		UserID:            u.ID,
		CreatedAt:         isoTime(u.CreatedAt),
		UpdatedAt:         isoTime(u.UpdatedAt),
		Status:            orDefault(u.Status, model.UserActivated),
		Gender:            orDefault(u.Gender, model.GenderUnknown),
		EmailVerified:     u.EmailVerified,
		PhoneVerified:     u.PhoneVerified,
		UserSourceType:    orDefault(u.SourceType, model.UserSourceRegister),
		Username:          u.Username,
		Email:             u.Email,
		Phone:             u.Phone,
		ExternalID:        u.ExternalID,
		Name:              u.Name,
		Nickname:          u.Nickname,
		Photo:             u.Picture,
		LoginsCount:       u.LoginsCount,
		LastIP:            u.LastIP,
		GivenName:         u.GivenName,
		FamilyName:        u.FamilyName,
		MiddleName:        u.MiddleName,
		PreferredUsername: u.PreferredUsername,
		Profile:           u.Profile,
		Website:           u.Website,
		Birthdate:         u.Birthdate,
		Zoneinfo:          u.Zoneinfo,
		Locale:            u.Locale,
		Address:           u.Address.Formatted,
		CustomData:        u.CustomData,
	}
	if !u.LastLogin.IsZero() {
		out.LastLogin = isoTime(u.LastLogin)
	}
	if out.CustomData == nil {
		out.CustomData = map[string]any{}
	}
	return out
}

func newUserList(list []*model.User) []userJSON {
	out := make([]userJSON, 0, len(list))
	for _, u := range list {
		out = append(out, newUserJSON(u))
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
}

// applicationJSON is the management API's Application; the secret is never in it.
type applicationJSON struct {
	AppID              string         `json:"appId"`
	AppIdentifier      string         `json:"appIdentifier"`
	AppName            string         `json:"appName"`
	AppLogo            string         `json:"appLogo"`
	AppDescription     string         `json:"appDescription"`
	AppType            string         `json:"appType"`
	UserPoolID         string         `json:"userPoolId"`
	DefaultProtocol    string         `json:"defaultProtocol"`
	RedirectURIs       []string       `json:"redirectUris"`
	LogoutRedirectURIs []string       `json:"logoutRedirectUris"`
	InitLoginURI       string         `json:"initLoginUri"`
	SSOEnabled         bool           `json:"ssoEnabled"`
	WebOrigins         []string       `json:"webOrigins"` // empty: the redirectUris' origins
	OIDCConfig         oidcConfigJSON `json:"oidcConfig"`
}

func newApplicationJSON(a *model.Application, poolID string) applicationJSON {
	return applicationJSON{
		AppID:              a.ID,
		AppIdentifier:      a.AppIdentifier,
		AppName:            a.Name,
		AppLogo:            a.Logo,
		AppDescription:     a.Description,
		AppType:            orDefault(a.AppType, model.AppTypeWeb),
		UserPoolID:         poolID,
		DefaultProtocol:    orDefault(a.DefaultProtocol, model.ProtocolOIDC),
		RedirectURIs:       nonNil(a.RedirectURIs),
		LogoutRedirectURIs: nonNil(a.LogoutRedirectURIs),
		InitLoginURI:       a.InitLoginURI,
		SSOEnabled:         a.SSOEnabled,
		WebOrigins:         nonNil(a.WebOrigins),
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
