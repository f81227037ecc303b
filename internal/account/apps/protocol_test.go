package apps

import (
	"errors"
	"slices"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
)

func TestNormalizeOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://spa.example":           "https://spa.example",
		"https://spa.example/":          "https://spa.example",
		"HTTPS://SPA.Example:443":       "https://spa.example",
		"http://localhost:80":           "http://localhost",
		"http://localhost:3000":         "http://localhost:3000",
		"https://spa.example:8443":      "https://spa.example:8443",
		"http://[::1]:5173":             "http://[::1]:5173",
		"http://127.0.0.1:5173/":        "http://127.0.0.1:5173",
		"*":                             "",
		"null":                          "",
		"":                              "",
		"https://":                      "",
		"spa.example":                   "",
		"ftp://spa.example":             "",
		"myapp://callback":              "",
		"https://spa.example/app":       "",
		"https://spa.example?x=1":       "",
		"https://spa.example/#x":        "",
		"https://user@spa.example":      "",
		"https://spa.example:notaport":  "",
		"https://*.spa.example":         "",
		"https://bücher.example":        "",
		"https://xn--bcher-kva.example": "https://xn--bcher-kva.example",
	} {
		got, err := NormalizeOrigin(in)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestWebOrigins(t *testing.T) {
	app := &model.Application{RedirectURIs: []string{"https://spa.example/cb?x=1", "https://SPA.example:443/other",
		"http://localhost:3000/callback", "myapp://callback", "https://user:pw@login.example/cb"}}
	if got, want := WebOrigins(app), []string{"https://spa.example", "http://localhost:3000", "https://login.example"}; !slices.Equal(got, want) {
		t.Errorf("default web origins = %q; want the callbacks' %q", got, want)
	}
	app.WebOrigins = []string{"https://other.example"}
	if got := WebOrigins(app); !slices.Equal(got, app.WebOrigins) {
		t.Errorf("web origins = %q; want the listed ones", got)
	}
}

func TestProtocolSettings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		p       CreateParams
		scopes  string
		format  string
		origins []string
		ok      bool
	}{
		{"defaults", CreateParams{}, "", model.ClaimsStandard, nil, true},
		{"scopes normalised", CreateParams{AllowedScopes: "  read write read  "}, "read write", model.ClaimsStandard, nil, true},
		{"any scope", CreateParams{AllowedScopes: "*"}, "*", model.ClaimsStandard, nil, true},
		{"any scope with others", CreateParams{AllowedScopes: "* read"}, "", "", nil, false},
		{"quoted scope", CreateParams{AllowedScopes: `"read"`}, "", "", nil, false},
		{"non-ASCII scope", CreateParams{AllowedScopes: "lire é"}, "", "", nil, false},
		{"genauth format", CreateParams{ClaimsFormat: " GenAuth "}, "", model.ClaimsGenAuth, nil, true},
		{"unknown format", CreateParams{ClaimsFormat: "oidc"}, "", "", nil, false},
		{"origins normalised", CreateParams{WebOrigins: []string{"https://A.example/", "https://a.example:443"}}, "", model.ClaimsStandard,
			[]string{"https://a.example"}, true},
		{"origin with a path", CreateParams{WebOrigins: []string{"https://a.example/app"}}, "", "", nil, false},
		{"wildcard origin", CreateParams{WebOrigins: []string{"*"}}, "", "", nil, false},
	} {
		app := &model.Application{}
		err := protocolSettings(app, tc.p)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v; want ok %v", tc.name, err, tc.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, model.ErrInvalidInput) {
				t.Errorf("%s: err %v is not ErrInvalidInput", tc.name, err)
			}
			continue
		}
		if app.AllowedScopes != tc.scopes || app.ClaimsFormat != tc.format || !slices.Equal(app.WebOrigins, tc.origins) {
			t.Errorf("%s: %q %q %q; want %q %q %q", tc.name, app.AllowedScopes, app.ClaimsFormat, app.WebOrigins, tc.scopes, tc.format, tc.origins)
		}
	}
}

func TestAccessTokenFormat(t *testing.T) {
	tests := []struct {
		protocol, format string
		want             string // "": refused
	}{
		{"", "", model.AccessTokenJWT}, // the default protocol is oidc
		{model.ProtocolOIDC, "", model.AccessTokenJWT},
		{model.ProtocolOAuth, "", model.AccessTokenOpaque},
		{model.ProtocolOAuth, " JWT ", model.AccessTokenJWT},
		{model.ProtocolOIDC, "opaque", model.AccessTokenOpaque},
		{model.ProtocolOIDC, "paseto", ""},
	}
	for _, tt := range tests {
		app, err := newApplication(CreateParams{Name: "a", RedirectURIs: []string{"https://a.example/cb"},
			DefaultProtocol: tt.protocol, AccessTokenFormat: tt.format})
		switch {
		case tt.want == "" && !errors.Is(err, model.ErrInvalidInput):
			t.Errorf("protocol %q format %q: err %v; want invalid input", tt.protocol, tt.format, err)
		case tt.want != "" && (err != nil || app.AccessTokenFormat != tt.want):
			t.Errorf("protocol %q format %q: %v; want %s", tt.protocol, tt.format, err, tt.want)
		}
	}
}

func TestMFAPolicy(t *testing.T) {
	for _, tt := range []struct{ policy, want string }{
		{"", model.MFAOff},
		{" Required ", model.MFARequired},
		{"optional", model.MFAOptional},
		{"always", ""},
	} {
		app, err := newApplication(CreateParams{Name: "a", RedirectURIs: []string{"https://a.example/cb"}, MFAPolicy: tt.policy})
		switch {
		case tt.want == "" && !errors.Is(err, model.ErrInvalidInput):
			t.Errorf("policy %q: err %v; want invalid input", tt.policy, err)
		case tt.want != "" && (err != nil || app.MFAPolicy != tt.want):
			t.Errorf("policy %q: %v; want %s", tt.policy, err, tt.want)
		}
	}
}
