package management_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// schemes runs fn against a fresh server once per way of authenticating.
func schemes(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, s := range []struct {
		name string
		set  func(t *testing.T, e *env) scheme
	}{
		{"token with Bearer", func(t *testing.T, e *env) scheme { return e.tokenScheme(t, true) }},
		{"token without Bearer", func(t *testing.T, e *env) scheme { return e.tokenScheme(t, false) }},
		{"signature authing", func(t *testing.T, e *env) scheme { return e.signScheme(signOpts{}) }},
		{"signature GenAuth", func(t *testing.T, e *env) scheme { return e.signScheme(signOpts{prefix: "GenAuth"}) }},
	} {
		t.Run(s.name, func(t *testing.T) {
			e := start(t, t0)
			e.auth = s.set(t, e)
			fn(t, e)
		})
	}
}

type user struct {
	UserID         string         `json:"userId"`
	CreatedAt      string         `json:"createdAt"`
	UpdatedAt      string         `json:"updatedAt"`
	Status         string         `json:"status"`
	Gender         string         `json:"gender"`
	EmailVerified  bool           `json:"emailVerified"`
	PhoneVerified  bool           `json:"phoneVerified"`
	UserSourceType string         `json:"userSourceType"`
	Username       string         `json:"username"`
	Email          string         `json:"email"`
	Phone          string         `json:"phone"`
	ExternalID     string         `json:"externalId"`
	Name           string         `json:"name"`
	Nickname       string         `json:"nickname"`
	Photo          string         `json:"photo"`
	LoginsCount    int            `json:"loginsCount"`
	LastLogin      string         `json:"lastLogin"`
	LastIP         string         `json:"lastIp"`
	Address        string         `json:"address"`
	Birthdate      string         `json:"birthdate"`
	GivenName      string         `json:"givenName"`
	FamilyName     string         `json:"familyName"`
	MiddleName     string         `json:"middleName"`
	PreferredName  string         `json:"preferredUsername"`
	Profile        string         `json:"profile"`
	Website        string         `json:"website"`
	Zoneinfo       string         `json:"zoneinfo"`
	Locale         string         `json:"locale"`
	CustomData     map[string]any `json:"customData"`
}

type userPage struct {
	TotalCount int    `json:"totalCount"`
	List       []user `json:"list"`
}

type application struct {
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
	RegistrationClosed bool           `json:"registrationClosed"`
	RegistrationEmail  bool           `json:"registrationEmailVerify"`
	WebOrigins         []string       `json:"webOrigins"`
	MFAPolicy          string         `json:"mfaPolicy"`
	OIDCConfig         map[string]any `json:"oidcConfig"`
}

func ids(list []user) string {
	var out []string
	for _, u := range list {
		out = append(out, u.Username)
	}
	return strings.Join(out, ",")
}

// TestUserEndpoints walks every user endpoint, with each scheme.
func TestUserEndpoints(t *testing.T) {
	schemes(t, func(t *testing.T, e *env) {
		var ada, bob user
		ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "ada"), ps("email", "Ada@Example.com"),
			ps("password", "correct-horse"), ps("phone", "+8613800000001"), ps("externalId", "ext-ada"),
			ps("name", "Ada 张"), ps("gender", "F"), p("emailVerified", "true"), ps("address", "12 St James's Sq"),
			p("customData", `{"plan":"pro","n":3}`), p("unknownField", `{"ignored":[1,2]}`), p("oidcConfig", "{}"),
			p("options", `{"passwordEncryptType":"none","resetPasswordOnFirstLogin":false}`)), &ada)
		if ada.Username != "ada" || ada.Email != "ada@example.com" || ada.Status != "Activated" || ada.Gender != "F" ||
			!ada.EmailVerified || ada.UserSourceType != "adminCreated" || ada.CustomData["plan"] != "pro" ||
			ada.CreatedAt != "2026-03-03T06:17:14.485Z" || ada.Address != "12 St James's Sq" {
			t.Fatalf("created user = %+v", ada)
		}
		var batch []user
		ok(t, e.call(t, http.MethodPost, "create-users-batch",
			p("list", `[{"username":"bob","password":"bob-password","status":"Suspended"},{"email":"carol@example.com","nickname":"<&>"}]`),
			p("options", `{"passwordEncryptType":"none"}`)), &batch)
		if len(batch) != 2 || batch[0].Status != "Suspended" || batch[1].Username != "" {
			t.Fatalf("batch = %+v", batch)
		}
		bob = batch[0]
		e.clock.Advance(time.Second)

		tests := []struct {
			name   string
			method string
			call   string
			params []param
			check  func(t *testing.T, env envelope)
		}{
			{"create-user duplicate username", http.MethodPost, "create-user", []param{ps("username", "ada"), ps("password", "x-password")},
				func(t *testing.T, env envelope) { failed(t, env, 409, 0, "username") }},
			{"create-user variant of a username", http.MethodPost, "create-user", []param{ps("username", "\u00a0ＡＤＡ ")},
				func(t *testing.T, env envelope) { failed(t, env, 409, 0, "username") }},
			{"create-users-batch variant of a username", http.MethodPost, "create-users-batch",
				[]param{p("list", `[{"username":"dan"},{"username":"Ada"}]`)},
				func(t *testing.T, env envelope) { failed(t, env, 409, 0, "entry 1") }},
			{"update-user to a variant of another username", http.MethodPost, "update-user",
				[]param{ps("userId", bob.UserID), ps("username", " ADA")},
				func(t *testing.T, env envelope) { failed(t, env, 409, 0, "username") }},
			{"get-user by a variant of the username", http.MethodGet, "get-user",
				[]param{ps("userId", "\u00a0Ａda"), ps("userIdType", "username")},
				func(t *testing.T, env envelope) {
					var u user
					ok(t, env, &u)
					if u.UserID != ada.UserID {
						t.Fatalf("got %s", u.UserID)
					}
				}},
			{"is-user-exists by a variant of the username", http.MethodPost, "is-user-exists", []param{ps("username", "ADA\t")},
				func(t *testing.T, env envelope) {
					var d struct{ Exists bool }
					ok(t, env, &d)
					if !d.Exists {
						t.Fatal("exists = false")
					}
				}},
			{"create-user duplicate email in another case", http.MethodPost, "create-user", []param{ps("email", "ADA@example.COM")},
				func(t *testing.T, env envelope) { failed(t, env, 409, 0, "email") }},
			{"create-user wrong type", http.MethodPost, "create-user", []param{p("username", "42")},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "username must be a string") }},
			{"create-user no login", http.MethodPost, "create-user", []param{ps("password", "long-enough")},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "username, email or phone") }},
			{"create-user encrypted password", http.MethodPost, "create-user", []param{ps("username", "x1"), ps("password", "abc"),
				p("options", `{"passwordEncryptType":"rsa"}`)},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "passwordEncryptType") }},
			{"create-users-batch names the failing entry, stores none", http.MethodPost, "create-users-batch",
				[]param{p("list", `[{"username":"dan"},{"username":"ada"}]`)},
				func(t *testing.T, env envelope) {
					failed(t, env, 409, 0, "entry 1")
					failed(t, e.call(t, http.MethodGet, "get-user", ps("userId", "dan"), ps("userIdType", "username")), 404, 2004, "")
				}},
			{"create-users-batch bad entry", http.MethodPost, "create-users-batch",
				[]param{p("list", `[{"username":"dan"},{"username":"e","gender":"X"}]`)},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "entry 1: invalid input: gender") }},
			{"get-user by id", http.MethodGet, "get-user", []param{ps("userId", ada.UserID)},
				func(t *testing.T, env envelope) {
					var u user
					ok(t, env, &u)
					if u.UserID != ada.UserID || u.Phone != "+8613800000001" {
						t.Fatalf("get-user = %+v", u)
					}
				}},
			{"get-user by external id", http.MethodGet, "get-user", []param{ps("userId", "ext-ada"), ps("userIdType", "external_id")},
				func(t *testing.T, env envelope) {
					var u user
					ok(t, env, &u)
					if u.UserID != ada.UserID {
						t.Fatalf("got %s", u.UserID)
					}
				}},
			{"get-user by email", http.MethodGet, "get-user", []param{ps("userId", "ADA@example.com"), ps("userIdType", "email")},
				func(t *testing.T, env envelope) { ok(t, env, nil) }},
			{"get-user unknown", http.MethodGet, "get-user", []param{ps("userId", "nobody")},
				func(t *testing.T, env envelope) { failed(t, env, 404, 2004, "user not found") }},
			{"get-user bad id type", http.MethodGet, "get-user", []param{ps("userId", "x"), ps("userIdType", "nickname")},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "userIdType") }},
			{"get-user-batch skips unknown ids", http.MethodGet, "get-user-batch",
				[]param{p("userIds", `["`+bob.UserID+`","nobody","`+ada.UserID+`"]`)},
				func(t *testing.T, env envelope) {
					var list []user
					ok(t, env, &list)
					if ids(list) != "bob,ada" {
						t.Fatalf("got %s", ids(list))
					}
				}},
			{"list-users POST keywords", http.MethodPost, "list-users", []param{ps("keywords", "EXAMPLE.COM")},
				func(t *testing.T, env envelope) {
					var pg userPage
					ok(t, env, &pg)
					if pg.TotalCount != 2 || ids(pg.List) != "ada," {
						t.Fatalf("got %d: %s", pg.TotalCount, ids(pg.List))
					}
				}},
			{"list-users POST filters, sort, page", http.MethodPost, "list-users", []param{
				p("advancedFilter", `[{"field":"status","operator":"IN","value":["Activated","Suspended"]},{"field":"createdAt","operator":"BETWEEN","value":[1.7e+12,"2030-01-01T00:00:00Z"]},{"field":"phone","operator":"IS_NULL"}]`),
				p("options", `{"pagination":{"page":1,"limit":1},"sort":[{"field":"username","order":"DESC"}]}`)},
				func(t *testing.T, env envelope) {
					var pg userPage
					ok(t, env, &pg)
					if pg.TotalCount != 2 || ids(pg.List) != "bob" {
						t.Fatalf("got %d: %s", pg.TotalCount, ids(pg.List))
					}
				}},
			{"list-users POST unknown field", http.MethodPost, "list-users", []param{
				p("advancedFilter", `[{"field":"password","operator":"EQUAL","value":"x"}]`)},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "advancedFilter[0].field") }},
			{"list-users POST wrong type", http.MethodPost, "list-users", []param{p("options", `{"pagination":{"limit":"ten"}}`)},
				func(t *testing.T, env envelope) {
					failed(t, env, 400, 0, "options.pagination.limit must be a whole number")
				}},
			{"list-users GET defaults false", http.MethodGet, "list-users", []param{ps("status", "false"), ps("page", "1"), ps("limit", "2")},
				func(t *testing.T, env envelope) {
					var pg userPage
					ok(t, env, &pg)
					if pg.TotalCount != 3 || len(pg.List) != 2 {
						t.Fatalf("got %d, %d", pg.TotalCount, len(pg.List))
					}
				}},
			{"list-users GET status and updatedAt", http.MethodGet, "list-users", []param{ps("status", "Suspended"),
				ps("updatedAtStart", "1.7e+12"), ps("updatedAtEnd", "1.9e+12")},
				func(t *testing.T, env envelope) {
					var pg userPage
					ok(t, env, &pg)
					if ids(pg.List) != "bob" {
						t.Fatalf("got %s", ids(pg.List))
					}
				}},
			{"update-user", http.MethodPost, "update-user", []param{ps("userId", ada.UserID), ps("nickname", "countess"),
				p("phone", "null"), p("customData", `{"plan":"free"}`), p("emailVerified", `"False"`)},
				func(t *testing.T, env envelope) {
					var u user
					ok(t, env, &u)
					if u.Nickname != "countess" || u.Phone != "+8613800000001" || u.CustomData["plan"] != "free" ||
						u.EmailVerified || u.UpdatedAt != "2026-03-03T06:17:15.485Z" {
						t.Fatalf("updated = %+v", u)
					}
				}},
			{"update-user by username through options", http.MethodPost, "update-user", []param{ps("userId", "ada"),
				p("options", `{"userIdType":"username"}`), ps("name", "Ada Lovelace")},
				func(t *testing.T, env envelope) { ok(t, env, nil) }},
			{"update-user to a taken email", http.MethodPost, "update-user", []param{ps("userId", bob.UserID), ps("email", "ada@example.com")},
				func(t *testing.T, env envelope) { failed(t, env, 409, 0, "email") }},
			{"update-user short password", http.MethodPost, "update-user", []param{ps("userId", bob.UserID), ps("password", "short")},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "password") }},
			{"update-user common password", http.MethodPost, "update-user", []param{ps("userId", bob.UserID), ps("password", "Password1")},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "too common") }},
			{"create-user common password", http.MethodPost, "create-user", []param{ps("username", "frank"), ps("password", "12345678")},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "too common") }},
			{"update-user bad status", http.MethodPost, "update-user", []param{ps("userId", bob.UserID), ps("status", "Gone")},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "status") }},
			{"update-user unknown", http.MethodPost, "update-user", []param{ps("userId", "nobody")},
				func(t *testing.T, env envelope) { failed(t, env, 404, 2004, "") }},
			{"is-user-exists", http.MethodPost, "is-user-exists", []param{ps("email", "ADA@example.com")},
				func(t *testing.T, env envelope) {
					var d struct{ Exists bool }
					ok(t, env, &d)
					if !d.Exists {
						t.Fatal("exists = false")
					}
				}},
			{"is-user-exists not", http.MethodPost, "is-user-exists", []param{ps("username", "zed"), ps("externalId", "nope")},
				func(t *testing.T, env envelope) {
					var d struct{ Exists bool }
					ok(t, env, &d)
					if d.Exists {
						t.Fatal("exists = true")
					}
				}},
			{"kick-users", http.MethodPost, "kick-users", []param{ps("userId", bob.UserID), p("appIds", `[]`)},
				func(t *testing.T, env envelope) { ok(t, env, nil) }},
			{"kick-users unknown app", http.MethodPost, "kick-users", []param{ps("userId", bob.UserID), p("appIds", `["nope"]`)},
				func(t *testing.T, env envelope) { failed(t, env, 404, 2011, "nope") }},
			{"kick-users unknown user", http.MethodPost, "kick-users", []param{ps("userId", "nobody")},
				func(t *testing.T, env envelope) { failed(t, env, 404, 2004, "") }},
			{"get-user-login-history empty", http.MethodGet, "get-user-login-history", []param{ps("userId", ada.UserID),
				ps("start", "1.7e+12"), ps("end", "1772519000000"), ps("page", "1"), ps("limit", "10")},
				func(t *testing.T, env envelope) {
					if env.StatusCode != 200 || string(env.Data) != `{"list":[],"totalCount":0}` {
						t.Fatalf("got %s", env.raw)
					}
				}},
			{"get-user-loggedin-apps empty", http.MethodGet, "get-user-loggedin-apps", []param{ps("userId", ada.UserID)},
				func(t *testing.T, env envelope) {
					if env.StatusCode != 200 || string(env.Data) != `[]` {
						t.Fatalf("got %s", env.raw)
					}
				}},
			{"check-session-status unknown app", http.MethodPost, "check-session-status", []param{ps("userId", ada.UserID), ps("appId", "nope")},
				func(t *testing.T, env envelope) { failed(t, env, 404, 2011, "") }},
			{"delete-users-batch names the unknown entry, deletes none", http.MethodPost, "delete-users-batch",
				[]param{p("userIds", `["`+bob.UserID+`","nobody"]`)},
				func(t *testing.T, env envelope) {
					failed(t, env, 404, 2004, "userIds[1] nobody")
					ok(t, e.call(t, http.MethodGet, "get-user", ps("userId", bob.UserID)), nil)
				}},
			{"delete-users-batch by username", http.MethodPost, "delete-users-batch",
				[]param{p("userIds", `["bob"]`), p("options", `{"userIdType":"username"}`)},
				func(t *testing.T, env envelope) {
					var d struct{ Success bool }
					ok(t, env, &d)
					if !d.Success {
						t.Fatal("success = false")
					}
					failed(t, e.call(t, http.MethodGet, "get-user", ps("userId", bob.UserID)), 404, 2004, "")
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { tt.check(t, e.call(t, tt.method, tt.call, tt.params...)) })
		}
	})
}

// TestApplicationEndpoints walks every application endpoint, with each scheme.
func TestApplicationEndpoints(t *testing.T) {
	schemes(t, func(t *testing.T, e *env) {
		var app application
		ok(t, e.call(t, http.MethodPost, "create-application", ps("appName", "Portal 门户"), ps("appIdentifier", "portal"),
			ps("appType", "web"), ps("defaultProtocol", "oidc"), p("redirectUris", `["http://localhost:3000/callback"]`),
			p("logoutRedirectUris", `["http://localhost:3000/"]`), ps("initLoginUri", "http://localhost:3000/login"),
			ps("appLogo", "https://cdn.example/logo.png"), ps("appDescription", "<&> ok"),
			p("oidcConfig", `{"grant_types":["authorization_code","refresh_token"],"access_token_expire":3600,"skip_consent":false,"response_types":["code"]}`)), &app)
		if app.AppName != "Portal 门户" || app.UserPoolID != e.creds.ID || app.OIDCConfig["access_token_expire"] != float64(3600) ||
			app.OIDCConfig["skip_consent"] != false {
			t.Fatalf("created %+v", app)
		}
		tests := []struct {
			name   string
			method string
			call   string
			params []param
			check  func(t *testing.T, env envelope)
		}{
			{"create-application duplicate identifier", http.MethodPost, "create-application",
				[]param{ps("appName", "Other"), ps("appIdentifier", "portal"), p("redirectUris", `["https://x.example/cb"]`)},
				func(t *testing.T, env envelope) { failed(t, env, 409, 0, "identifier") }},
			{"create-application no name", http.MethodPost, "create-application", []param{p("oidcConfig", "{}")},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "name") }},
			{"create-application bad type", http.MethodPost, "create-application", []param{ps("appName", "x"), p("redirectUris", `"x"`)},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "login callback") }},
			{"create-application bad expire", http.MethodPost, "create-application", []param{ps("appName", "x"),
				p("oidcConfig", `{"access_token_expire":"soon"}`)},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "oidcConfig.access_token_expire") }},
			{"get-application", http.MethodGet, "get-application", []param{ps("appId", app.AppID)},
				func(t *testing.T, env envelope) {
					var got application
					ok(t, env, &got)
					if got.AppID != app.AppID || got.InitLoginURI != "http://localhost:3000/login" {
						t.Fatalf("got %+v", got)
					}
				}},
			{"get-application unknown", http.MethodGet, "get-application", []param{ps("appId", "nope")},
				func(t *testing.T, env envelope) { failed(t, env, 404, 2011, "application not found") }},
			{"list-applications", http.MethodGet, "list-applications", []param{ps("page", "1"), ps("limit", "10"),
				ps("keywords", "门户"), ps("isIntegrateApp", "false")},
				func(t *testing.T, env envelope) {
					var pg struct {
						TotalCount int           `json:"totalCount"`
						List       []application `json:"list"`
					}
					ok(t, env, &pg)
					if pg.TotalCount != 1 || pg.List[0].AppID != app.AppID {
						t.Fatalf("got %+v", pg)
					}
				}},
			{"update-application", http.MethodPost, "update-application", []param{ps("appId", app.AppID), ps("appName", "Renamed"),
				p("ssoEnabled", "true"), p("registrationClosed", "true"), p("registrationEmailVerify", "true"),
				p("oidcConfig", `{"token_endpoint_auth_method":"client_secret_basic"}`)},
				func(t *testing.T, env envelope) {
					ok(t, env, nil)
					var got application
					ok(t, e.call(t, http.MethodGet, "get-application", ps("appId", app.AppID)), &got)
					if got.AppName != "Renamed" || !got.SSOEnabled || !got.RegistrationClosed || !got.RegistrationEmail ||
						got.OIDCConfig["token_endpoint_auth_method"] != "client_secret_basic" ||
						got.AppIdentifier != "portal" || len(got.RedirectURIs) != 1 {
						t.Fatalf("after update %+v", got)
					}
				}},
			{"update-application invalid", http.MethodPost, "update-application", []param{ps("appId", app.AppID), ps("appType", "toaster")},
				func(t *testing.T, env envelope) { failed(t, env, 400, 0, "application type") }},
			{"update-application unknown", http.MethodPost, "update-application", []param{ps("appId", "nope")},
				func(t *testing.T, env envelope) { failed(t, env, 404, 2011, "") }},
			{"get-application-secret refused", http.MethodGet, "get-application-secret", []param{ps("appId", app.AppID)},
				func(t *testing.T, env envelope) { failed(t, env, 403, 0, "refresh-application-secret") }},
			{"get-application-secret unknown", http.MethodGet, "get-application-secret", []param{ps("appId", "nope")},
				func(t *testing.T, env envelope) { failed(t, env, 404, 2011, "") }},
			{"refresh-application-secret", http.MethodPost, "refresh-application-secret", []param{ps("appId", app.AppID)},
				func(t *testing.T, env envelope) {
					var d struct{ Secret string }
					ok(t, env, &d)
					if len(d.Secret) != 32 {
						t.Fatalf("secret %q", d.Secret)
					}
				}},
			{"list-application-active-users", http.MethodPost, "list-application-active-users", []param{ps("appId", app.AppID),
				p("options", `{"pagination":{"page":1,"limit":5}}`)},
				func(t *testing.T, env envelope) {
					if env.StatusCode != 200 || string(env.Data) != `{"totalCount":0,"list":[]}` {
						t.Fatalf("got %s", env.raw)
					}
				}},
			{"list-application-active-users unknown", http.MethodPost, "list-application-active-users", []param{ps("appId", "nope")},
				func(t *testing.T, env envelope) { failed(t, env, 404, 2011, "") }},
			{"delete-application", http.MethodPost, "delete-application", []param{ps("appId", app.AppID)},
				func(t *testing.T, env envelope) {
					ok(t, env, nil)
					failed(t, e.call(t, http.MethodGet, "get-application", ps("appId", app.AppID)), 404, 2011, "")
				}},
			{"delete-application again", http.MethodPost, "delete-application", []param{ps("appId", app.AppID)},
				func(t *testing.T, env envelope) { failed(t, env, 404, 2011, "") }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { tt.check(t, e.call(t, tt.method, tt.call, tt.params...)) })
		}
	})
}
