package management_test

import (
	"net/http"
	"testing"
)

// TestPublicApplicationHasNoSecret checks issue 13 item 15: an application
// whose every endpoint uses the `none` auth method gets no secret, and
// refresh-application-secret refuses to make one.
func TestPublicApplicationHasNoSecret(t *testing.T) {
	e := start(t, t0)
	var app application
	ok(t, e.call(t, http.MethodPost, "create-application", ps("appName", "SPA"), ps("appType", "spa"),
		p("redirectUris", `["https://spa.example/callback"]`),
		p("oidcConfig", `{"token_endpoint_auth_method":"none"}`)), &app)
	for _, m := range []string{"token_endpoint_auth_method", "introspection_endpoint_auth_method", "revocation_endpoint_auth_method"} {
		if app.OIDCConfig[m] != "none" {
			t.Errorf("%s = %v; want none (following the token endpoint's)", m, app.OIDCConfig[m])
		}
	}
	stored, err := e.st.GetApplication(t.Context(), app.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.SecretHash != "" {
		t.Error("the public application was given a secret")
	}
	failed(t, e.call(t, http.MethodPost, "refresh-application-secret", ps("appId", app.AppID)), 400, 0, "public")
	if stored, err = e.st.GetApplication(t.Context(), app.AppID); err != nil || stored.SecretHash != "" {
		t.Errorf("after the refused refresh: secret hash %q, %v; want none", stored.SecretHash, err)
	}

	// Given a secret method, it needs a secret: refreshing makes its first one.
	ok(t, e.call(t, http.MethodPost, "update-application", ps("appId", app.AppID),
		p("oidcConfig", `{"token_endpoint_auth_method":"client_secret_post","introspection_endpoint_auth_method":"client_secret_post"}`)), nil)
	var sec struct{ Secret string }
	ok(t, e.call(t, http.MethodPost, "refresh-application-secret", ps("appId", app.AppID)), &sec)
	if len(sec.Secret) != 32 {
		t.Fatalf("secret %q", sec.Secret)
	}
	// Public again: the secret is dropped.
	ok(t, e.call(t, http.MethodPost, "update-application", ps("appId", app.AppID),
		p("oidcConfig", `{"token_endpoint_auth_method":"none","introspection_endpoint_auth_method":"none"}`)), nil)
	if stored, err = e.st.GetApplication(t.Context(), app.AppID); err != nil || stored.SecretHash != "" {
		t.Errorf("public again: secret hash %q, %v; want none", stored.SecretHash, err)
	}
}

// TestApplicationProtocolSettings sets webOrigins, oidcConfig.allowed_scopes,
// oidcConfig.claims_format and oidcConfig.access_token_format through
// create-application and update-application, reads them back, and refuses
// bad values.
func TestApplicationProtocolSettings(t *testing.T) {
	e := start(t, t0)
	var app application
	ok(t, e.call(t, http.MethodPost, "create-application", ps("appName", "Reports"),
		p("redirectUris", `["https://reports.example/cb"]`), p("webOrigins", `["https://Reports.example:443/"]`),
		p("oidcConfig", `{"grant_types":["authorization_code","client_credentials"],"allowed_scopes":"reports:read  reports:write","claims_format":"genauth"}`)), &app)
	if len(app.WebOrigins) != 1 || app.WebOrigins[0] != "https://reports.example" ||
		app.OIDCConfig["allowed_scopes"] != "reports:read reports:write" || app.OIDCConfig["claims_format"] != "genauth" ||
		app.OIDCConfig["access_token_format"] != "jwt" { // an OpenID Connect application's default
		t.Fatalf("created: web origins %q, oidcConfig %v", app.WebOrigins, app.OIDCConfig)
	}
	ok(t, e.call(t, http.MethodPost, "update-application", ps("appId", app.AppID), p("webOrigins", `[]`),
		p("oidcConfig", `{"allowed_scopes":"*","claims_format":"standard","access_token_format":"opaque"}`)), nil)
	var got application
	ok(t, e.call(t, http.MethodGet, "get-application", ps("appId", app.AppID)), &got)
	if len(got.WebOrigins) != 0 || got.OIDCConfig["allowed_scopes"] != "*" || got.OIDCConfig["claims_format"] != "standard" ||
		got.OIDCConfig["access_token_format"] != "opaque" {
		t.Fatalf("updated: web origins %q, oidcConfig %v", got.WebOrigins, got.OIDCConfig)
	}
	for _, tc := range []struct {
		name  string
		param param
		want  string
	}{
		{"wildcard origin", p("webOrigins", `["*"]`), "not an origin"},
		{"origin with a path", p("webOrigins", `["https://reports.example/app"]`), "not an origin"},
		{"origins not a list", p("webOrigins", `{"a":1}`), "webOrigins"},
		{"unknown claims format", p("oidcConfig", `{"claims_format":"oidc"}`), "standard or genauth"},
		{"claims format not a string", p("oidcConfig", `{"claims_format":1}`), "claims_format"},
		{"unknown access token format", p("oidcConfig", `{"access_token_format":"paseto"}`), "opaque or jwt"},
		{"access token format not a string", p("oidcConfig", `{"access_token_format":true}`), "access_token_format"},
		{"bad scope", p("oidcConfig", `{"allowed_scopes":"a\\b"}`), "allowed scope"},
	} {
		failed(t, e.call(t, http.MethodPost, "update-application", ps("appId", app.AppID), tc.param), 400, 0, tc.want)
	}
}
