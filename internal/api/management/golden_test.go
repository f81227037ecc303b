package management_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var requestID = regexp.MustCompile(`"requestId":"[0-9a-f]+"`)

// golden compares a response, its random ids replaced, with testdata/golden/name.json.
func golden(t *testing.T, name string, env envelope, ids map[string]string) {
	t.Helper()
	got := requestID.ReplaceAllString(string(env.raw), `"requestId":"REQUEST-ID"`)
	for id, placeholder := range ids {
		got = strings.ReplaceAll(got, id, placeholder)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(got), "", "  "); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, pretty.Bytes(), want)
	}
}

// TestGolden pins the User and Application objects and the envelope.
func TestGolden(t *testing.T) {
	e := start(t, t0)
	full := e.call(t, http.MethodPost, "create-user", ps("username", "ada"), ps("email", "ada@example.com"),
		ps("phone", "+8613800000001"), ps("password", "correct-horse"), ps("externalId", "ext-1"), ps("name", "Ada Lovelace"),
		ps("nickname", "ada <&>"), ps("givenName", "Ada"), ps("familyName", "Lovelace"), ps("middleName", "King"),
		ps("preferredUsername", "countess"), ps("profile", "https://example.com/ada"), ps("photo", "https://example.com/ada.png"),
		ps("website", "https://ada.example"), ps("gender", "F"), ps("birthdate", "1815-12-10"), ps("zoneinfo", "Europe/London"),
		ps("locale", "en-GB"), ps("address", "12 St James's Square, London"), p("emailVerified", "true"),
		p("phoneVerified", "true"), p("customData", `{"plan":"pro","seats":3,"tags":["a","张"]}`), ps("status", "Activated"))
	var u user
	ok(t, full, &u)
	golden(t, "user_full", full, map[string]string{u.UserID: "USER-ID"})

	minimal := e.call(t, http.MethodPost, "create-user", ps("email", "min@example.com"))
	var m user
	ok(t, minimal, &m)
	golden(t, "user_minimal", minimal, map[string]string{m.UserID: "USER-ID"})

	app := e.call(t, http.MethodPost, "create-application", ps("appName", "Portal"), ps("appIdentifier", "portal"),
		ps("appType", "spa"), ps("defaultProtocol", "oauth"), p("redirectUris", `["http://localhost:3000/callback"]`),
		p("logoutRedirectUris", `["http://localhost:3000/"]`), ps("initLoginUri", "https://portal.example/login"),
		ps("appLogo", "https://portal.example/logo.png"), ps("appDescription", "The portal"), p("ssoEnabled", "true"),
		p("webOrigins", `["https://portal.example"]`),
		p("oidcConfig", `{"grant_types":["authorization_code","implicit","refresh_token"],"token_endpoint_auth_method":"client_secret_basic","id_token_signed_response_alg":"ES256","access_token_expire":3600,"refresh_token_expire":86400,"id_token_expire":600,"skip_consent":false,"claims_format":"genauth"}`))
	var a application
	ok(t, app, &a)
	golden(t, "application", app, map[string]string{a.AppID: "APP-ID", e.creds.ID: "USER-POOL-ID"})

	golden(t, "envelope_not_found", e.call(t, http.MethodGet, "get-user", ps("userId", "nobody")), nil)
	golden(t, "envelope_exists", e.call(t, http.MethodPost, "is-user-exists", ps("username", "ada")), nil)
	golden(t, "send_reset_not_configured", e.call(t, http.MethodPost, "send-reset-password-code", ps("userId", u.UserID)), nil)

	e.clock.Advance(time.Minute)
	var list userPage
	page := e.call(t, http.MethodPost, "list-users", p("options", `{"pagination":{"page":1,"limit":1}}`))
	ok(t, page, &list)
	golden(t, "user_page", page, map[string]string{u.UserID: "USER-ID"})
}
