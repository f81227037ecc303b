package console

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
)

// An application's settings travel between the console's form and the
// services as url.Values under the input names below, so a refused form is
// shown again exactly as it was sent. Every setting of apps.CreateParams
// (the CLI's flags and the management API's fields) has an input.

// appChecked is the value of a ticked checkbox.
const appChecked = "on"

// maxAppTTL bounds a lifetime as the management API does.
const maxAppTTL = 100 * 365 * 24 * time.Hour

var appGrants = []string{model.GrantAuthorizationCode, model.GrantImplicit, model.GrantRefreshToken,
	model.GrantClientCredentials}

// appDefaults is a new application's form: the service's defaults spelled
// out, so the administrator sees what leaving them means.
func appDefaults() url.Values {
	return url.Values{
		"type":           {model.AppTypeWeb},
		"protocol":       {model.ProtocolOIDC},
		"token_auth":     {model.AuthClientSecretPost},
		"grants":         {model.GrantAuthorizationCode, model.GrantRefreshToken},
		"access_ttl":     {appSeconds(model.DefaultAccessTokenTTL)},
		"refresh_ttl":    {appSeconds(model.DefaultRefreshTokenTTL)},
		"id_ttl":         {appSeconds(model.DefaultIDTokenTTL)},
		"id_alg":         {model.SigningRS256},
		"claims_format":  {model.ClaimsStandard},
		"rotate_refresh": {appChecked},
		"refresh_grace":  {appSeconds(model.DefaultRefreshGracePeriod)},
		"refresh_idle":   {"0"},
		"mfa_policy":     {model.MFAOff},
	}
}

// appValues is the form of an existing application.
func appValues(a *model.Application) url.Values {
	v := url.Values{
		"name":               {a.Name},
		"identifier":         {a.AppIdentifier},
		"type":               {a.AppType},
		"protocol":           {a.DefaultProtocol},
		"description":        {a.Description},
		"logo":               {a.Logo},
		"init_login_uri":     {a.InitLoginURI},
		"redirect_uris":      {strings.Join(a.RedirectURIs, "\n")},
		"logout_uris":        {strings.Join(a.LogoutRedirectURIs, "\n")},
		"web_origins":        {strings.Join(a.WebOrigins, "\n")},
		"grants":             slices.Clone(a.GrantTypes),
		"token_auth":         {a.TokenAuthMethod},
		"introspection_auth": {a.IntrospectionAuthMethod},
		"revocation_auth":    {a.RevocationAuthMethod},
		"access_ttl":         {appSeconds(a.AccessTokenTTL)},
		"refresh_ttl":        {appSeconds(a.RefreshTokenTTL)},
		"id_ttl":             {appSeconds(a.IDTokenTTL)},
		"id_alg":             {a.IDTokenAlg},
		"access_format":      {a.AccessTokenFormat},
		"claims_format":      {a.ClaimsFormat},
		"allowed_scopes":     {a.AllowedScopes},
		"refresh_grace":      {appSeconds(a.RefreshGracePeriod)},
		"refresh_idle":       {appSeconds(a.RefreshIdleTTL)},
		"mfa_policy":         {a.MFAPolicy},
	}
	for name, on := range map[string]bool{"sso": a.SSOEnabled, "rotate_refresh": a.RotateRefreshTokens,
		"require_consent": a.RequireConsent, "reject_pkce_plain": a.RejectPKCEPlain,
		"registration_closed": a.RegistrationClosed, "registration_email_verify": a.RegistrationEmailVerify} {
		if on {
			v.Set(name, appChecked)
		}
	}
	return v
}

func appSeconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// appLines splits a text area into its non-empty lines.
func appLines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// appParams reads the form into the service's parameters. It checks what
// it can attribute to one input (with the service's own validators, so
// the rules stay the service's) and returns those problems by input name;
// the service validates everything again.
func appParams(v url.Values) (apps.CreateParams, map[string]string) {
	errs := map[string]string{}
	on := func(name string) bool { return v.Get(name) == appChecked }
	p := apps.CreateParams{
		Name:                    v.Get("name"),
		AppIdentifier:           v.Get("identifier"),
		AppType:                 v.Get("type"),
		DefaultProtocol:         v.Get("protocol"),
		Description:             v.Get("description"),
		Logo:                    v.Get("logo"),
		InitLoginURI:            v.Get("init_login_uri"),
		SSOEnabled:              on("sso"),
		RedirectURIs:            appLines(v.Get("redirect_uris")),
		LogoutRedirectURIs:      appLines(v.Get("logout_uris")),
		WebOrigins:              appLines(v.Get("web_origins")),
		GrantTypes:              v["grants"],
		TokenAuthMethod:         v.Get("token_auth"),
		IntrospectionAuthMethod: v.Get("introspection_auth"),
		RevocationAuthMethod:    v.Get("revocation_auth"),
		IDTokenAlg:              v.Get("id_alg"),
		AccessTokenFormat:       v.Get("access_format"),
		ClaimsFormat:            v.Get("claims_format"),
		AllowedScopes:           v.Get("allowed_scopes"),
		ClassicRefreshTokens:    !on("rotate_refresh"),
		RequireConsent:          on("require_consent"),
		RejectPKCEPlain:         on("reject_pkce_plain"),
		MFAPolicy:               v.Get("mfa_policy"),
		RegistrationClosed:      on("registration_closed"),
		RegistrationEmailVerify: on("registration_email_verify"),
	}
	if strings.TrimSpace(p.Name) == "" {
		errs["name"] = "apps.error.name"
	}
	for name, list := range map[string][]string{"redirect_uris": p.RedirectURIs, "logout_uris": p.LogoutRedirectURIs} {
		for _, u := range list {
			if apps.ValidateRedirectURI(u) != nil {
				errs[name] = "apps.error.uri"
			}
		}
	}
	for _, o := range p.WebOrigins {
		if _, err := apps.NormalizeOrigin(o); err != nil {
			errs["web_origins"] = "apps.error.origin"
		}
	}
	if len(p.GrantTypes) == 0 {
		errs["grants"] = "apps.error.grants"
	}
	for _, d := range []struct {
		name     string
		dst      *time.Duration
		min, max time.Duration
		key      string
	}{
		{"access_ttl", &p.AccessTokenTTL, time.Second, maxAppTTL, "apps.error.ttl"},
		{"refresh_ttl", &p.RefreshTokenTTL, time.Second, maxAppTTL, "apps.error.ttl"},
		{"id_ttl", &p.IDTokenTTL, time.Second, maxAppTTL, "apps.error.ttl"},
		{"refresh_grace", &p.RefreshGracePeriod, 0, 5 * time.Minute, "apps.error.grace"},
		{"refresh_idle", &p.RefreshIdleTTL, 0, maxAppTTL, "apps.error.idle"},
	} {
		n, err := strconv.ParseInt(strings.TrimSpace(v.Get(d.name)), 10, 64)
		if err != nil || n < int64(d.min/time.Second) || n > int64(d.max/time.Second) {
			errs[d.name] = d.key
			continue
		}
		*d.dst = time.Duration(n) * time.Second
	}
	return p, errs
}

// appField is one input of the settings form. Label, Hint, Error and an
// option's Label are catalog keys.
type appField struct {
	Name    string
	Kind    string // text, url, number (whole seconds), textarea, select, check (one box) or checks (a group)
	Label   string
	Hint    string
	Value   string
	Checked bool
	Options []appOption
	Error   string
}

type appOption struct {
	Value, Label string
	Selected     bool
}

// DescribedBy names the hint and the error of the input, for
// aria-describedby.
func (f appField) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, "f-"+f.Name+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, "f-"+f.Name+"-error")
	}
	return strings.Join(ids, " ")
}

type appSection struct {
	Legend string
	Fields []appField
}

// appSections lays the form out in fieldsets, filled from v, with the
// problems of errs by their inputs.
func appSections(v url.Values, errs map[string]string) []appSection {
	field := func(name, kind string, options ...string) appField {
		f := appField{Name: name, Kind: kind, Label: "apps.f." + name, Value: v.Get(name), Error: errs[name],
			Checked: v.Get(name) == appChecked}
		if hasKey(i18n.English, "apps.h."+name) {
			f.Hint = "apps.h." + name
		}
		for _, o := range options {
			f.Options = append(f.Options, appOption{Value: o, Label: "apps.o." + name + "." + o,
				Selected: slices.Contains(v[name], o) || o == "" && v.Get(name) == ""})
		}
		return f
	}
	auth := []string{model.AuthClientSecretPost, model.AuthClientSecretBasic, model.AuthNone}
	return []appSection{
		{"apps.s.general", []appField{
			field("name", "text"),
			field("type", "select", model.AppTypeWeb, model.AppTypeSPA, model.AppTypeNative, model.AppTypeAPI),
			field("protocol", "select", model.ProtocolOIDC, model.ProtocolOAuth),
			field("identifier", "text"),
			field("description", "textarea"),
			field("logo", "url"),
			field("init_login_uri", "url"),
			field("sso", "check"),
		}},
		{"apps.s.urls", []appField{
			field("redirect_uris", "textarea"),
			field("logout_uris", "textarea"),
			field("web_origins", "textarea"),
		}},
		{"apps.s.grants", []appField{
			field("grants", "checks", appGrants...),
			field("token_auth", "select", auth...),
			field("introspection_auth", "select", append([]string{""}, auth...)...),
			field("revocation_auth", "select", append([]string{""}, auth...)...),
			field("allowed_scopes", "text"),
			field("require_consent", "check"),
			field("reject_pkce_plain", "check"),
		}},
		{"apps.s.tokens", []appField{
			field("access_ttl", "number"),
			field("access_format", "select", "", model.AccessTokenOpaque, model.AccessTokenJWT),
			field("id_ttl", "number"),
			field("id_alg", "select", model.SigningRS256, model.SigningES256),
			field("claims_format", "select", model.ClaimsStandard, model.ClaimsGenAuth),
			field("refresh_ttl", "number"),
			field("rotate_refresh", "check"),
			field("refresh_grace", "number"),
			field("refresh_idle", "number"),
		}},
		{"apps.s.signin", []appField{
			field("mfa_policy", "select", model.MFAOff, model.MFAOptional, model.MFARequired),
			field("registration_closed", "check"),
			field("registration_email_verify", "check"),
		}},
	}
}

// appChanges names the inputs whose values differ between two forms, for
// the audit event of an update.
func appChanges(before, after url.Values) []string {
	var out []string
	for _, s := range appSections(url.Values{}, nil) {
		for _, f := range s.Fields {
			if strings.Join(before[f.Name], "\n") != strings.Join(after[f.Name], "\n") {
				out = append(out, f.Name)
			}
		}
	}
	return out
}
