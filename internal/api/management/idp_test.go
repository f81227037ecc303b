package management_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

type extIdp struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Logo      string `json:"logo"`
	Type      string `json:"type"`
	CreatedAt string `json:"createdAt"`
}

type extIdpConn struct {
	ID                      string           `json:"id"`
	Type                    string           `json:"type"`
	ExtIdpID                string           `json:"extIdpId"`
	Logo                    string           `json:"logo"`
	Identifier              string           `json:"identifier"`
	DisplayName             string           `json:"displayName"`
	LoginOnly               bool             `json:"loginOnly"`
	AssociationMode         string           `json:"associationMode"`
	ChallengeBindingMethods []string         `json:"challengeBindingMethods"`
	Fields                  model.ConnFields `json:"fields"`
	HasSecret               bool             `json:"hasSecret"`
	RedirectURI             string           `json:"redirectUri"`
	EnabledAppIDs           []string         `json:"enabledAppIds"`
	CreatedAt               string           `json:"createdAt"`
	UpdatedAt               string           `json:"updatedAt"`
}

type extIdpDetail struct {
	extIdp
	Connections []extIdpConn `json:"connections"`
	AutoJoin    bool         `json:"autoJoin"`
}

// TestExtIdps drives the upstream identity providers' endpoints as the
// SDK's ManagementClient calls them, and pins their answers.
func TestExtIdps(t *testing.T) {
	e := start(t, t0)
	var app application
	ok(t, e.call(t, http.MethodPost, "create-application", ps("appName", "Portal"), ps("appIdentifier", "portal"), ps("appType", "web"),
		p("redirectUris", `["https://portal.example/cb"]`)), &app)

	created := e.call(t, http.MethodPost, "create-ext-idp", ps("name", "Corp SSO"), ps("type", "oidc"), ps("tenantId", ""))
	var p1 extIdp
	ok(t, created, &p1)
	ids := map[string]string{p1.ID: "EXT-IDP-ID", app.AppID: "APP-ID", e.url: "PUBLIC-URL"}
	golden(t, "ext_idp", created, ids)

	conn := e.call(t, http.MethodPost, "create-ext-idp-conn", ps("extIdpId", p1.ID), ps("type", "oidc"), ps("identifier", "corp"),
		ps("displayName", "Corp"), p("fields", `{"issuer":"https://sso.corp.example","clientId":"genauth","clientSecret":"s3cret-value"}`))
	var c extIdpConn
	ok(t, conn, &c)
	ids[c.ID] = "CONN-ID"
	if strings.Contains(string(conn.raw), "s3cret") || !c.HasSecret || !strings.HasSuffix(c.RedirectURI, "/connections/corp/callback") {
		t.Fatalf("create-ext-idp-conn: %s", conn.raw)
	}
	golden(t, "ext_idp_conn", conn, ids)

	ok(t, e.call(t, http.MethodPost, "change-ext-idp-conn-state", ps("id", c.ID), p("enabled", "true"), ps("appId", app.AppID)), nil)

	// A partial update: the fields it names change, the secret is kept.
	var up extIdpConn
	ok(t, e.call(t, http.MethodPost, "update-ext-idp-conn", ps("id", c.ID), ps("displayName", "Corp SSO"),
		p("fields", `{"scopes":["openid","email"]}`)), &up)
	if up.Fields.Issuer != "https://sso.corp.example" || !slices.Equal(up.Fields.Scopes, []string{"openid", "email"}) || !up.HasSecret ||
		up.DisplayName != "Corp SSO" || !slices.Equal(up.EnabledAppIDs, []string{app.AppID}) {
		t.Fatalf("update-ext-idp-conn: %+v", up)
	}

	detail := e.call(t, http.MethodGet, "get-ext-idp", ps("id", p1.ID))
	var d extIdpDetail
	ok(t, detail, &d)
	if len(d.Connections) != 1 || strings.Contains(string(detail.raw), "s3cret") {
		t.Fatalf("get-ext-idp: %s", detail.raw)
	}
	golden(t, "ext_idp_detail", detail, ids)

	ldap := e.call(t, http.MethodPost, "create-ext-idp", ps("name", "Directory"), ps("type", "ldap"))
	var p2 extIdp
	ok(t, ldap, &p2)
	var all, forApp struct {
		TotalCount int      `json:"totalCount"`
		List       []extIdp `json:"list"`
	}
	ok(t, e.call(t, http.MethodGet, "list-ext-idp"), &all)
	ok(t, e.call(t, http.MethodGet, "list-ext-idp", ps("appId", app.AppID)), &forApp)
	if all.TotalCount != 2 || forApp.TotalCount != 1 || forApp.List[0].ID != p1.ID {
		t.Fatalf("list-ext-idp: %+v, for the app %+v", all, forApp)
	}
	var renamed extIdp
	ok(t, e.call(t, http.MethodPost, "update-ext-idp", ps("id", p2.ID), ps("name", "LDAP")), &renamed)
	if renamed.Name != "LDAP" || renamed.Type != "ldap" {
		t.Fatalf("update-ext-idp: %+v", renamed)
	}

	var u user
	ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "ada"), ps("password", "correct-horse")), &u)
	identities := e.call(t, http.MethodGet, "get-user-identities", ps("userId", u.UserID))
	golden(t, "user_identities_none", identities, nil)

	for _, tc := range []struct {
		name, method, endpoint string
		params                 []param
		status, apiCode        int
		want                   string
	}{
		{"unknown type", http.MethodPost, "create-ext-idp", []param{ps("name", "x"), ps("type", "saml")}, 400, 0, "oidc, oauth2, ldap or ad"},
		{"unknown ext idp", http.MethodGet, "get-ext-idp", []param{ps("id", "nope")}, 404, 0, "not found"},
		{"no id", http.MethodGet, "get-ext-idp", nil, 400, 0, "id is required"},
		{"taken identifier", http.MethodPost, "create-ext-idp-conn", []param{ps("extIdpId", p1.ID), ps("identifier", "corp"),
			p("fields", `{"issuer":"https://other.example","clientId":"x","clientSecret":"y"}`)}, 409, 0, "taken"},
		{"unknown field", http.MethodPost, "create-ext-idp-conn", []param{ps("extIdpId", p1.ID), ps("identifier", "other"),
			p("fields", `{"issuer":"https://other.example","clientId":"x","clientSecret":"y","colour":"red"}`)}, 400, 0, "colour"},
		{"bind password of oidc", http.MethodPost, "create-ext-idp-conn", []param{ps("extIdpId", p1.ID), ps("identifier", "other"),
			p("fields", `{"issuer":"https://other.example","clientId":"x","bindPassword":"y"}`)}, 400, 0, "bindPassword"},
		{"type of another kind", http.MethodPost, "create-ext-idp-conn", []param{ps("extIdpId", p1.ID), ps("type", "ldap"), p("fields", `{}`)}, 400, 0, "oidc"},
		{"ldap without url", http.MethodPost, "create-ext-idp-conn", []param{ps("extIdpId", p2.ID), ps("identifier", "dir"), p("fields", `{}`)}, 400, 0, ""},
		{"unknown app", http.MethodPost, "change-ext-idp-conn-state", []param{ps("id", c.ID), p("enabled", "true"), ps("appId", "nope")}, 404, 0, "not found"},
		{"no app", http.MethodPost, "change-ext-idp-conn-state", []param{ps("id", c.ID), p("enabled", "false")}, 400, 0, "appId or appIds"},
		{"no enabled", http.MethodPost, "change-ext-idp-conn-state", []param{ps("id", c.ID), ps("appId", app.AppID)}, 400, 0, "enabled"},
		{"unlink not linked", http.MethodPost, "unlink-identity", []param{ps("userId", u.UserID), ps("extIdpId", p1.ID)}, 404, 0, "not found"},
		{"identities of nobody", http.MethodGet, "get-user-identities", []param{ps("userId", "nobody")}, 404, 2004, "user not found"},
		{"association state", http.MethodPost, "change-ext-idp-conn-association-state", nil, 501, 0, "not supported by GenAuth"},
		{"tenant list", http.MethodGet, "list-tenant-ext-idp", nil, 501, 0, "no tenants"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			failed(t, e.call(t, tc.method, tc.endpoint, tc.params...), tc.status, tc.apiCode, tc.want)
		})
	}

	ok(t, e.call(t, http.MethodPost, "change-ext-idp-conn-state", ps("id", c.ID), p("enabled", "false"), p("appIds", `["`+app.AppID+`"]`)), nil)
	ok(t, e.call(t, http.MethodGet, "get-ext-idp", ps("id", p1.ID)), &d)
	if len(d.Connections[0].EnabledAppIDs) != 0 {
		t.Fatalf("still enabled: %+v", d.Connections[0])
	}
	ok(t, e.call(t, http.MethodPost, "delete-ext-idp-conn", ps("id", c.ID)), nil)
	failed(t, e.call(t, http.MethodPost, "delete-ext-idp-conn", ps("id", c.ID)), 404, 0, "not found")
	ok(t, e.call(t, http.MethodPost, "delete-ext-idp", ps("id", p1.ID)), nil)
	failed(t, e.call(t, http.MethodGet, "get-ext-idp", ps("id", p1.ID)), 404, 0, "not found")

	events, err := e.st.ListAuditEvents(t.Context(), store.AuditQuery{Type: model.AuditIdPConfig})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range events {
		got = append(got, strings.SplitN(ev.Detail, ":", 2)[0])
	}
	want := []string{"management API delete-ext-idp", "management API delete-ext-idp-conn", "management API change-ext-idp-conn-state",
		"management API update-ext-idp", "management API create-ext-idp", "management API update-ext-idp-conn",
		"management API change-ext-idp-conn-state", "management API create-ext-idp-conn", "management API create-ext-idp"}
	if !slices.Equal(got, want) {
		t.Errorf("idp.config events, newest first:\n got %q\nwant %q", got, want)
	}
}
