package authn_test

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/slapdtest"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

func TestUpstreamIdentityProviders(t *testing.T) {
	dir := slapdtest.Start(t, slapdtest.Options{})
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) { testUpstream(t, b, dir) })
	}
}

// closedLDAP is an ldap:// URL where nothing listens.
func closedLDAP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "ldap://" + addr
}

func testUpstream(t *testing.T, b testserver.Backend, dir *slapdtest.Server) {
	s := b.Start(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	strict, strictSecret := s.CreateApp(t, apps.CreateParams{Name: "strict", RedirectURIs: []string{"https://rp.example/cb"}, MFAPolicy: model.MFARequired})
	down, downSecret := s.CreateApp(t, apps.CreateParams{Name: "down", RedirectURIs: []string{"https://rp.example/cb"}})
	bare, bareSecret := s.CreateApp(t, apps.CreateParams{Name: "bare", RedirectURIs: []string{"https://rp.example/cb"}})

	// The providers, as an administrator makes them through the management API.
	mt := s.ManagementToken(t)
	manage := func(name, body string) map[string]any {
		t.Helper()
		a := call(t, http.MethodPost, s.URL+"/api/v3/"+name, map[string]string{"Authorization": "Bearer " + mt, "Content-Type": "application/json"}, body)
		if a.StatusCode != 200 {
			t.Fatalf("%s: %s", name, a.raw)
		}
		var d map[string]any
		if err := json.Unmarshal(a.Data, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	newConn := func(typ, name, identifier, fields string, appIDs ...string) (extIdpID, connID string) {
		t.Helper()
		s.Clock.Advance(time.Second) // listed in the order they were made
		p := manage("create-ext-idp", `{"name":"`+name+`","type":"`+typ+`"}`)
		c := manage("create-ext-idp-conn", `{"extIdpId":"`+p["id"].(string)+`","identifier":"`+identifier+`","displayName":"`+name+`","fields":`+fields+`}`)
		for _, id := range appIDs {
			manage("change-ext-idp-conn-state", `{"id":"`+c["id"].(string)+`","enabled":true,"appId":"`+id+`"}`)
		}
		return p["id"].(string), c["id"].(string)
	}
	ldapFields := func(u string) string {
		return `{"url":"` + u + `","bindDn":"` + dir.BindDN + `","baseDn":"` + slapdtest.PeopleDN + `","bindPassword":"` + dir.BindPassword + `"}`
	}
	ldapID, staffID := newConn("ldap", "Staff directory", "staff", ldapFields(dir.URL), app.ID, strict.ID)
	newConn("ad", "Windows", "windows", ldapFields(dir.URL), app.ID)
	newConn("ldap", "Gone", "gone", ldapFields(closedLDAP(t)), down.ID)
	corpID, _ := newConn("oidc", "Corp", "corp", `{"issuer":"https://sso.corp.invalid","clientId":"genauth","clientSecret":"s"}`, app.ID)
	newConn("oauth2", "Partner", "partner", `{"clientId":"genauth","clientSecret":"s","authorizationUrl":"https://partner.invalid/authorize",`+
		`"tokenUrl":"https://partner.invalid/token","userInfoUrl":"https://partner.invalid/user"}`, strict.ID)

	scrub := golden.Scrub{Strs: map[string]string{app.ID: "appId", ldapID: "ldapExtIdpId", corpID: "corpExtIdpId", staffID: "staffConnId"},
		URLs: map[string]string{s.URL: "publicUrl"},
		Keys: map[string]string{"requestId": `[^"]+`, "mfaToken": `[^"]+`, "identityId": `[^"]+`, "extIdpId": `[^"]+`,
			"entryCSN": `[^"]+`, "modifyTimestamp": `[^"]+`, "createTimestamp": `[^"]+`}}
	hdr := map[string]string{"x-authing-app-id": app.ID}
	signin := func(appID, appSecret, connection, login, password string) answer {
		payload := "ldapPayload"
		if connection == "AD" {
			payload = "adPayload"
		}
		body, _ := json.Marshal(map[string]any{"connection": connection, payload: map[string]string{"sAMAccountName": login, "password": password},
			"client_id": appID, "client_secret": appSecret, "options": map[string]string{"scope": "openid profile email"}})
		return call(t, http.MethodPost, s.URL+"/api/v3/signin", map[string]string{"x-authing-app-id": appID}, string(body))
	}

	var tokens struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
	}
	t.Run("signin", func(t *testing.T) {
		for _, tc := range []struct {
			name, appID, appSecret, connection, login, password string
			status, apiCode                                     int
			goldenName                                          string
		}{
			{"wrong password", app.ID, secret, "LDAP", "alice", "not-her-password", 403, 2333, "signin-ldap-wrong-password"},
			{"unknown user", app.ID, secret, "LDAP", "nobody", "whatever", 403, 2333, ""},
			{"a wildcard login", app.ID, secret, "LDAP", "*", slapdtest.Alice.Password, 403, 2333, ""},
			{"an injected filter", app.ID, secret, "LDAP", "alice)(uid=*", slapdtest.Alice.Password, 403, 2333, ""},
			{"first sign-in creates the account", app.ID, secret, "LDAP", "alice", slapdtest.Alice.Password, 200, 0, ""},
			{"a login holding filter metacharacters", app.ID, secret, "LDAP", slapdtest.Mallory.UID, slapdtest.Mallory.Password, 200, 0, ""},
			{"AD", app.ID, secret, "AD", "carol", slapdtest.Carol.Password, 200, 0, ""},
			{"unreachable directory", down.ID, downSecret, "LDAP", "alice", slapdtest.Alice.Password, 502, 0, "signin-ldap-unavailable"},
			{"not configured", bare.ID, bareSecret, "LDAP", "alice", slapdtest.Alice.Password, 400, 2820002, ""},
			{"AD not configured", down.ID, downSecret, "AD", "carol", slapdtest.Carol.Password, 400, 2820002, ""},
			{"MFA required", strict.ID, strictSecret, "LDAP", "bob", slapdtest.Bob.Password, 403, 1636, "signin-ldap-mfa"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := signin(tc.appID, tc.appSecret, tc.connection, tc.login, tc.password)
				expect(t, b, scrub, tc.name, a, tc.status, tc.apiCode, tc.goldenName)
				if tc.name == "first sign-in creates the account" {
					if err := json.Unmarshal(a.Data, &tokens); err != nil || tokens.AccessToken == "" {
						t.Fatalf("no tokens: %s", a.raw)
					}
					if amr := idAMR(t, tokens.IDToken); !slices.Equal(amr, []string{"pwd"}) {
						t.Errorf("amr = %q, want pwd", amr)
					}
				}
			})
		}
	})
	if tokens.AccessToken == "" {
		t.Fatal("alice did not sign in")
	}
	user := map[string]string{"x-authing-app-id": app.ID, "Authorization": "Bearer " + tokens.AccessToken}
	get := func(name string, h map[string]string) answer {
		return call(t, http.MethodGet, s.URL+"/api/v3/"+name, h, "")
	}

	t.Run("login history", func(t *testing.T) {
		a := get("get-my-login-history", user)
		var page struct {
			List []struct {
				LoginMethod string `json:"loginMethod"`
			} `json:"list"`
		}
		if err := json.Unmarshal(a.Data, &page); err != nil || len(page.List) != 1 || page.List[0].LoginMethod != "idp:ldap" {
			t.Fatalf("history: %s", a.raw)
		}
	})

	t.Run("second factor", func(t *testing.T) {
		// Alice enrolls TOTP; her directory sign-in at the strict
		// application then waits for it, and the login history still says
		// how she signed in.
		parts := strings.Split(tokens.IDToken, ".")
		raw, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var claims struct{ Sub string }
		if err := json.Unmarshal(raw, &claims); err != nil {
			t.Fatal(err)
		}
		setup, err := s.MFA.NewTOTP("alice")
		if err != nil {
			t.Fatal(err)
		}
		code := func() string {
			c, err := totp.GenerateCode(setup.Secret, s.Clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		if _, err := s.MFA.EnrollTOTP(t.Context(), claims.Sub, setup.Secret, code()); err != nil {
			t.Fatal(err)
		}
		s.Clock.Advance(mfa.Period)
		a := signin(strict.ID, strictSecret, "LDAP", "alice", slapdtest.Alice.Password)
		expect(t, b, scrub, "challenge", a, 403, 1636, "")
		var d struct {
			MFAToken    string `json:"mfaToken"`
			AccessToken string `json:"access_token"`
			IDToken     string `json:"id_token"`
		}
		if err := json.Unmarshal(a.Data, &d); err != nil || d.MFAToken == "" {
			t.Fatalf("no mfaToken: %s", a.raw)
		}
		a = call(t, http.MethodPost, s.URL+"/api/v3/mfa-totp-verify", map[string]string{"x-authing-app-id": strict.ID, "Authorization": d.MFAToken},
			`{"totp":"`+code()+`"}`)
		if err := json.Unmarshal(a.Data, &d); err != nil || d.AccessToken == "" {
			t.Fatalf("no tokens: %s", a.raw)
		}
		if amr := idAMR(t, d.IDToken); !slices.Equal(amr, []string{"otp", "pwd", "mfa"}) {
			t.Errorf("amr = %q", amr)
		}
		a = get("get-my-login-history", map[string]string{"x-authing-app-id": strict.ID, "Authorization": d.AccessToken})
		var page struct {
			List []struct {
				AppID       string `json:"appId"`
				LoginMethod string `json:"loginMethod"`
			} `json:"list"`
		}
		if err := json.Unmarshal(a.Data, &page); err != nil || len(page.List) == 0 || page.List[0].AppID != strict.ID || page.List[0].LoginMethod != "idp:ldap" {
			t.Fatalf("history: %s", a.raw)
		}
	})

	t.Run("enabled extidps", func(t *testing.T) {
		a := get("get-application-enabled-extidps", hdr)
		expect(t, b, scrub, "enabled", a, 200, 0, "get-application-enabled-extidps")
		var list []struct{ Identifier, ExtIdpType, BindURL string }
		if err := json.Unmarshal(a.Data, &list); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range list {
			got = append(got, e.Identifier+" "+e.ExtIdpType+" "+strings.TrimPrefix(e.BindURL, s.URL))
		}
		want := []string{"staff enterprise /connections/staff/ldap", "windows enterprise /connections/windows/ldap", "corp social /connections/corp/start"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		expect(t, b, scrub, "none", get("get-application-enabled-extidps", map[string]string{"x-authing-app-id": bare.ID}), 200, 0, "")
	})

	t.Run("identities", func(t *testing.T) {
		a := get("get-identities", user)
		expect(t, b, scrub, "identities", a, 200, 0, "get-identities")
		expect(t, b, scrub, "no token", get("get-identities", hdr), 401, 2020, "")
	})

	t.Run("link url", func(t *testing.T) {
		link := func(identifier, appID, idToken string) answer {
			q := url.Values{"ext_idp_conn_identifier": {identifier}, "app_id": {appID}, "id_token": {idToken}}
			return get("generate-link-extidp-url?"+q.Encode(), nil)
		}
		a := link("corp", app.ID, tokens.IDToken)
		expect(t, b, scrub, "link", a, 200, 0, "")
		var d struct{ URL string }
		if err := json.Unmarshal(a.Data, &d); err != nil || !strings.HasPrefix(d.URL, s.URL+"/connections/corp/link?ticket=") {
			t.Fatalf("url: %s", a.raw)
		}
		expect(t, b, scrub, "directory", link("staff", app.ID, tokens.IDToken), 400, 0, "")
		expect(t, b, scrub, "unknown", link("nope", app.ID, tokens.IDToken), 404, 0, "generate-link-extidp-url-unknown")
		expect(t, b, scrub, "not enabled", link("partner", app.ID, tokens.IDToken), 404, 0, "")
		expect(t, b, scrub, "another app's token", link("corp", bare.ID, tokens.IDToken), 401, 2020, "")
		expect(t, b, scrub, "tampered", link("corp", app.ID, tokens.IDToken+"x"), 401, 2020, "generate-link-extidp-url-bad-token")
		expect(t, b, scrub, "missing", link("corp", app.ID, ""), 400, 0, "")
	})

	t.Run("unlink", func(t *testing.T) {
		post := func(body string) answer {
			return call(t, http.MethodPost, s.URL+"/api/v3/unlink-extidp", user, body)
		}
		expect(t, b, scrub, "last way", post(`{"extIdpId":"`+ldapID+`"}`), 422, 0, "unlink-extidp-last")
		expect(t, b, scrub, "not linked", post(`{"extIdpId":"`+corpID+`"}`), 404, 0, "unlink-extidp-not-linked")
		expect(t, b, scrub, "no id", post(`{}`), 400, 0, "")
		// With a password (which signs her out), the identity is not the
		// last way in: the administrator unlinks it.
		var claims struct{ Sub string }
		raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tokens.IDToken, ".")[1])
		if err != nil || json.Unmarshal(raw, &claims) != nil {
			t.Fatalf("id token %q: %v", tokens.IDToken, err)
		}
		manage("update-user", `{"userId":"`+claims.Sub+`","password":"a password of her own"}`)
		manage("unlink-identity", `{"userId":"`+claims.Sub+`","extIdpId":"`+ldapID+`"}`)
		a := get("get-user-identities?userId="+claims.Sub, map[string]string{"Authorization": "Bearer " + mt})
		expect(t, b, scrub, "unlinked", a, 200, 0, "")
		if string(a.Data) != "[]" {
			t.Fatalf("still linked: %s", a.raw)
		}
	})

	t.Run("expired id token", func(t *testing.T) {
		s.Clock.Advance(24 * time.Hour)
		q := url.Values{"ext_idp_conn_identifier": {"corp"}, "app_id": {app.ID}, "id_token": {tokens.IDToken}}
		expect(t, b, scrub, "expired", get("generate-link-extidp-url?"+q.Encode(), nil), 401, 2020, "")
	})
}
