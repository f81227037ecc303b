package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

func TestAppCreateJSONRoundTrip(t *testing.T) {
	dir := newDataDir(t)
	out := mustRun(t, "", "app", "create", "--data-dir", dir, "--json",
		"--name", "  Shop  ",
		"--redirect-uri", "https://shop.example.com/cb?x=1,2",
		"--redirect-uri", "myapp://callback",
		"--logout-uri", "https://shop.example.com/",
		"--token-auth-method", "client_secret_basic",
		"--introspection-auth-method", "none",
		"--grant", "authorization_code,refresh_token", "--grant", "implicit",
		"--access-token-ttl", "1h",
		"--refresh-token-ttl", "86400",
		"--id-token-ttl", "600",
		"--id-token-alg", "ES256",
		"--require-consent",
		"--refresh-grace", "10s",
		"--refresh-idle-ttl", "2h",
		"--reject-pkce-plain",
		"--allowed-scopes", "read  write read",
		"--claims-format", "genauth",
		"--access-token-format", "OPAQUE",
		"--web-origin", "https://Shop.example.com:443", "--web-origin", "http://localhost:3000",
		"--registration-email-verify",
	)
	var created appJSON
	decodeJSON(t, out, &created)
	if len(created.AppID) == 0 || len(created.AppSecret) == 0 {
		t.Fatalf("app create --json: no app_id or app_secret in %s", out)
	}
	want := appJSON{
		AppID:                   created.AppID,
		AppSecret:               created.AppSecret,
		Name:                    "Shop",
		RedirectURIs:            []string{"https://shop.example.com/cb?x=1,2", "myapp://callback"},
		LogoutRedirectURIs:      []string{"https://shop.example.com/"},
		TokenAuthMethod:         "client_secret_basic",
		IntrospectionAuthMethod: "none",
		RevocationAuthMethod:    "client_secret_basic", // the token endpoint's when not given
		GrantTypes:              []string{"authorization_code", "refresh_token", "implicit"},
		AccessTokenTTL:          3600,
		RefreshTokenTTL:         86400,
		IDTokenTTL:              600,
		IDTokenAlg:              "ES256",
		RequireConsent:          true,
		RotateRefreshTokens:     true,
		RefreshGracePeriod:      10,
		RefreshIdleTTL:          7200,
		RejectPKCEPlain:         true,
		AllowedScopes:           "read write",
		ClaimsFormat:            "genauth",
		AccessTokenFormat:       "opaque",
		WebOrigins:              []string{"https://shop.example.com", "http://localhost:3000"},
		RegistrationEmailVerify: true,
		MFAPolicy:               "off",
	}
	ignoreTime := cmpopts.IgnoreFields(appJSON{}, "CreatedAt")
	if diff := cmp.Diff(want, created, ignoreTime); diff != "" {
		t.Errorf("app create --json (-want +got):\n%s", diff)
	}

	// The secret printed is the one the server will accept.
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.GetApplication(context.Background(), created.AppID)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !apps.CheckSecret(stored, created.AppSecret) {
		t.Error("the printed app_secret does not match the stored hash")
	}

	var listed []appJSON
	decodeJSON(t, mustRun(t, "", "app", "list", "--json", "--data-dir", dir), &listed)
	want.AppSecret = "" // never shown again
	if diff := cmp.Diff([]appJSON{want}, listed, ignoreTime); diff != "" {
		t.Errorf("app list --json (-want +got):\n%s", diff)
	}
	if listed[0].CreatedAt.IsZero() {
		t.Error("app list --json: created_at is zero")
	}

	// An existing application opts in to JWT access tokens; nothing else changes.
	var updated appJSON
	decodeJSON(t, mustRun(t, "", "app", "update", "--app", created.AppID, "--access-token-format", "jwt", "--json", "--data-dir", dir), &updated)
	want.AccessTokenFormat = "jwt"
	if diff := cmp.Diff(want, updated, ignoreTime); diff != "" {
		t.Errorf("app update --json (-want +got):\n%s", diff)
	}
}

func TestAppCreateDefaultsAndText(t *testing.T) {
	dir := newDataDir(t)
	out := mustRun(t, "", "app", "create", "--data-dir", dir, "--name", "Plain", "--redirect-uri", "http://localhost:3000/callback")
	var id, secret string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "app_id:"); ok {
			id = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "app_secret:"); ok {
			secret = strings.TrimSpace(v)
		}
	}
	if id == "" || secret == "" {
		t.Fatalf("app create printed %q, want app_id: and app_secret: lines", out)
	}

	var listed []appJSON
	decodeJSON(t, mustRun(t, "", "app", "list", "--json", "--data-dir", dir), &listed)
	want := []appJSON{{
		AppID:                   id,
		Name:                    "Plain",
		RedirectURIs:            []string{"http://localhost:3000/callback"},
		LogoutRedirectURIs:      []string{},
		TokenAuthMethod:         "client_secret_post",
		IntrospectionAuthMethod: "client_secret_post",
		RevocationAuthMethod:    "client_secret_post",
		GrantTypes:              []string{"authorization_code", "refresh_token"},
		AccessTokenTTL:          1_209_600,
		RefreshTokenTTL:         2_592_000,
		IDTokenTTL:              3600,
		IDTokenAlg:              "RS256",
		RotateRefreshTokens:     true,
		RefreshGracePeriod:      5,
		ClaimsFormat:            "standard",
		AccessTokenFormat:       "jwt", // an OpenID Connect application's, as in GenAuth
		WebOrigins:              []string{},
		MFAPolicy:               "off",
	}}
	if diff := cmp.Diff(want, listed, cmpopts.IgnoreFields(appJSON{}, "CreatedAt")); diff != "" {
		t.Errorf("app list --json (-want +got):\n%s", diff)
	}

	text := mustRun(t, "", "app", "list", "--data-dir", dir)
	if !strings.Contains(text, id) || !strings.Contains(text, "Plain") || strings.Contains(text, secret) {
		t.Errorf("app list printed %q: want the id and name, never the secret", text)
	}
}

func TestAppUpdateRegistration(t *testing.T) {
	dir := newDataDir(t)
	var app appJSON
	decodeJSON(t, mustRun(t, "", "app", "create", "--data-dir", dir, "--json", "--name", "Shop",
		"--redirect-uri", "http://localhost:3000/callback", "--token-auth-method", "client_secret_basic"), &app)
	for _, tc := range []struct {
		args              []string
		closed, emailSeen bool
	}{
		{[]string{"--registration-closed"}, true, false},
		{[]string{"--registration-email-verify"}, true, true},
		{[]string{"--registration-closed=false"}, false, true},
	} {
		var got appJSON
		decodeJSON(t, mustRun(t, "", append([]string{"app", "update", "--data-dir", dir, "--json", "--app", app.AppID}, tc.args...)...), &got)
		if got.RegistrationClosed != tc.closed || got.RegistrationEmailVerify != tc.emailSeen {
			t.Errorf("after %v: closed %t, email verify %t; want %t, %t", tc.args, got.RegistrationClosed, got.RegistrationEmailVerify,
				tc.closed, tc.emailSeen)
		}
		// Only the flags given change.
		if got.Name != "Shop" || got.TokenAuthMethod != "client_secret_basic" {
			t.Errorf("after %v: other settings changed: %+v", tc.args, got)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--app", app.AppID}, "nothing to change"},
		{[]string{"--registration-closed"}, "--app is required"},
		{[]string{"--app", "nope", "--registration-closed"}, `no application "nope"`},
	} {
		_, stderr, code := cliRun(t, "", append([]string{"app", "update", "--data-dir", dir}, tc.args...)...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("app update %v: exit %d, stderr %q; want a failure saying %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestTTLFlag(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3600", time.Hour, true},
		{"24h", 24 * time.Hour, true},
		{"90s", 90 * time.Second, true},
		{"1", time.Second, true},
		{"0", 0, false},
		{"-5", 0, false},
		{"1.5s", 0, false},
		{"500ms", 0, false},
		{"soon", 0, false},
		{"99999999999999999", 0, false},
	}
	for _, tt := range tests {
		var d time.Duration
		err := (&ttlValue{d: &d, def: time.Hour}).Set(tt.in)
		if (err == nil) != tt.ok || d != tt.want {
			t.Errorf("Set(%q) = %v, err %v; want %v, ok %v", tt.in, d, err, tt.want, tt.ok)
		}
	}
	// Where zero is the default ("no idle limit"), zero can be asked for.
	d := time.Hour
	if err := (&ttlValue{d: &d}).Set("0"); err != nil || d != 0 {
		t.Errorf("Set(\"0\") without a default = %v, err %v; want 0", d, err)
	}
}

// TestAppCreatePublicHasNoSecret checks issue 13 item 15: a public
// application (every auth method none) gets no secret, in text and JSON.
func TestAppCreatePublicHasNoSecret(t *testing.T) {
	dir := newDataDir(t)
	out := mustRun(t, "", "app", "create", "--data-dir", dir, "--name", "SPA", "--redirect-uri", "https://spa.example/cb",
		"--token-auth-method", "none")
	if strings.Contains(out, "app_secret") || !strings.Contains(out, "app_id:") {
		t.Errorf("app create for a public client printed %q: want the app_id and no app_secret", out)
	}
	var created appJSON
	decodeJSON(t, mustRun(t, "", "app", "create", "--data-dir", dir, "--json", "--name", "SPA 2",
		"--redirect-uri", "https://spa.example/cb", "--token-auth-method", "none"), &created)
	if created.AppSecret != "" || created.IntrospectionAuthMethod != "none" || created.RevocationAuthMethod != "none" {
		t.Errorf("app create --json for a public client: %+v; want no app_secret and none everywhere", created)
	}
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	list, err := st.ListApplications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.SecretHash != "" {
			t.Errorf("application %s (%s) has a stored secret", a.ID, a.Name)
		}
	}
	// A public client that introspects with a secret does need one.
	out = mustRun(t, "", "app", "create", "--data-dir", dir, "--name", "SPA with backend", "--redirect-uri", "https://spa.example/cb",
		"--token-auth-method", "none", "--introspection-auth-method", "client_secret_basic")
	if !strings.Contains(out, "app_secret: ") {
		t.Errorf("app create with a secret method printed %q: want an app_secret", out)
	}
}
