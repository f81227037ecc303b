package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestIdpCommands creates one provider of each kind, lists them, enables
// and disables one for an application and deletes one: the JSON holds the
// ids and the redirect URI, and no secret is printed or stored in plain.
func TestIdpCommands(t *testing.T) {
	dir := newDataDir(t)
	var app appJSON
	decodeJSON(t, mustRun(t, "", "app", "create", "--data-dir", dir, "--name", "Web", "--redirect-uri", "http://127.0.0.1:9/cb", "--json"), &app)

	var oidc idpJSON
	decodeJSON(t, mustRun(t, "oidc-client-secret\n", "idp", "create", "oidc", "--data-dir", dir, "--name", "Corp SSO",
		"--issuer", "https://sso.example.com", "--client-id", "genauth", "--client-secret-stdin", "--scope", "openid",
		"--scope", "email", "--map", "username=email", "--public-url", "https://id.example.com", "--json"), &oidc)
	if oidc.ID == "" || oidc.Type != "oidc" || oidc.Identifier != "corp-sso" || !oidc.HasSecret ||
		oidc.RedirectURI != "https://id.example.com/connections/corp-sso/callback" ||
		oidc.Fields.Issuer != "https://sso.example.com" || oidc.Fields.Mapping["username"] != "email" ||
		strings.Join(oidc.Fields.Scopes, " ") != "openid email" {
		t.Errorf("idp create oidc --json = %+v", oidc)
	}

	var gh idpJSON
	decodeJSON(t, mustRun(t, "gh-secret\n", "idp", "create", "oauth2", "--data-dir", dir, "--name", "GitHub", "--preset", "github",
		"--client-id", "Iv1.x", "--client-secret-stdin", "--json"), &gh)
	if gh.Type != "oauth2" || gh.Fields.AuthorizationURL != "https://github.com/login/oauth/authorize" ||
		gh.Fields.UserInfoURL != "https://api.github.com/user" || gh.RedirectURI != "http://localhost:8080/connections/github/callback" {
		t.Errorf("idp create oauth2 --preset github --json = %+v", gh)
	}

	var ldap idpJSON
	decodeJSON(t, mustRun(t, "bind-secret\n", "idp", "create", "ldap", "--data-dir", dir, "--name", "Directory",
		"--url", "ldap://127.0.0.1:389", "--bind-dn", "cn=reader,dc=example,dc=org", "--bind-password-stdin",
		"--base-dn", "ou=people,dc=example,dc=org", "--user-filter", "(uid=%s)", "--timeout", "5s", "--json"), &ldap)
	if ldap.Type != "ldap" || ldap.RedirectURI != "" || ldap.Fields.TimeoutSeconds != 5 || !ldap.HasSecret ||
		ldap.Fields.BindDN != "cn=reader,dc=example,dc=org" {
		t.Errorf("idp create ldap --json = %+v", ldap)
	}

	if out := mustRun(t, "", "idp", "enable", oidc.ID, "--data-dir", dir, "--app", app.AppID); out != "enabled corp-sso for "+app.AppID+"\n" {
		t.Errorf("idp enable printed %q", out)
	}
	mustRun(t, "", "idp", "enable", "directory", "--data-dir", dir, "--app", app.AppID)
	var list []idpJSON
	decodeJSON(t, mustRun(t, "", "idp", "list", "--data-dir", dir, "--json"), &list)
	if len(list) != 3 || list[0].ID != oidc.ID || len(list[0].Apps) != 1 || list[0].Apps[0] != app.AppID ||
		len(list[1].Apps) != 0 || list[2].Apps[0] != app.AppID {
		t.Errorf("idp list --json = %+v", list)
	}
	mustRun(t, "", "idp", "disable", oidc.ConnectionID, "--data-dir", dir, "--app", app.AppID)
	text := mustRun(t, "", "idp", "list", "--data-dir", dir)
	if !strings.HasPrefix(text, "ID ") || !strings.Contains(text, "corp-sso") || strings.Count(text, app.AppID) != 1 {
		t.Errorf("idp list after disable:\n%s", text)
	}
	mustRun(t, "", "idp", "delete", gh.ID, "--data-dir", dir)
	decodeJSON(t, mustRun(t, "", "idp", "list", "--data-dir", dir, "--json"), &list)
	if len(list) != 2 {
		t.Errorf("after delete: %+v", list)
	}

	dump := openDB(t, dir)
	conn, err := dump.GetExtIdpConn(context.Background(), oidc.ConnectionID)
	if err != nil {
		t.Fatal(err)
	}
	if len(conn.SealedSecret) == 0 || bytes.Contains(conn.SealedSecret, []byte("oidc-client-secret")) {
		t.Errorf("the client secret is not sealed: %q", conn.SealedSecret)
	}
	for _, args := range [][]string{{"idp", "list", "--json"}, {"idp", "list"}} {
		out := mustRun(t, "", append(args, "--data-dir", dir)...)
		if strings.Contains(out, "secret") && strings.Contains(out, "bind-secret") || strings.Contains(out, "oidc-client-secret") {
			t.Errorf("a secret is printed: %s", out)
		}
	}
}

// TestIdpCommandErrors: every mistake is one readable line and a non-zero
// exit, and leaves nothing behind.
func TestIdpCommandErrors(t *testing.T) {
	dir := newDataDir(t)
	var app appJSON
	decodeJSON(t, mustRun(t, "", "app", "create", "--data-dir", dir, "--name", "Web", "--redirect-uri", "http://127.0.0.1:9/cb", "--json"), &app)
	var taken idpJSON
	decodeJSON(t, mustRun(t, "s\n", "idp", "create", "oidc", "--data-dir", dir, "--name", "Taken", "--issuer", "https://a.example",
		"--client-id", "c", "--client-secret-stdin", "--json"), &taken)

	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"no name", "", []string{"idp", "create", "oidc", "--issuer", "https://a.example", "--client-id", "c"}, "--name is required"},
		{"no issuer", "", []string{"idp", "create", "oidc", "--name", "X", "--client-id", "c"}, "issuer"},
		{"bad map", "", []string{"idp", "create", "oidc", "--name", "X", "--issuer", "https://a.example", "--client-id", "c", "--map", "username"}, "field=claim"},
		{"no secret on stdin", "", []string{"idp", "create", "oidc", "--name", "X", "--issuer", "https://a.example", "--client-id", "c", "--client-secret-stdin"}, "client secret"},
		{"taken identifier", "", []string{"idp", "create", "oidc", "--name", "Taken", "--issuer", "https://a.example", "--client-id", "c"}, "taken"},
		{"unknown preset", "", []string{"idp", "create", "oauth2", "--name", "X", "--preset", "myspace", "--client-id", "c"}, "preset"},
		{"oauth2 without urls", "", []string{"idp", "create", "oauth2", "--name", "X", "--client-id", "c"}, "URL"},
		{"ldap bad url", "", []string{"idp", "create", "ldap", "--name", "X", "--url", "http://x", "--base-dn", "dc=x"}, "ldap://"},
		{"ldap filter without %s", "", []string{"idp", "create", "ldap", "--name", "X", "--url", "ldap://x:389", "--base-dn", "dc=x", "--user-filter", "(uid=alice)"}, "%s"},
		{"bad timeout", "", []string{"idp", "create", "ldap", "--name", "X", "--url", "ldap://x:389", "--base-dn", "dc=x", "--timeout", "1500ms"}, "--timeout"},
		{"bad public url", "", []string{"idp", "create", "oidc", "--name", "X", "--issuer", "https://a.example", "--client-id", "c", "--public-url", "ftp://x"}, "--public-url"},
		{"enable without app", "", []string{"idp", "enable", taken.ID}, "--app is required"},
		{"enable unknown app", "", []string{"idp", "enable", taken.ID, "--app", "nope"}, `no application has the id "nope"`},
		{"enable unknown provider", "", []string{"idp", "enable", "nope", "--app", app.AppID}, `no identity provider or connection`},
		{"delete unknown", "", []string{"idp", "delete", "nope"}, `no identity provider has the id "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := cliRun(t, tc.stdin, append(tc.args, "--data-dir", dir)...)
			if code == 0 || out != "" || !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want a failure naming %q", code, out, errOut, tc.want)
			}
		})
	}
	var list []idpJSON
	decodeJSON(t, mustRun(t, "", "idp", "list", "--data-dir", dir, "--json"), &list)
	if len(list) != 1 {
		t.Errorf("refused commands left providers behind: %+v", list)
	}
}
