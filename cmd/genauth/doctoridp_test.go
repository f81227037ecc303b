package main

import (
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/testkit/slapdtest"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestDoctorConnections: doctor asks every upstream connection. A real
// OpenID Connect issuer (a GenAuth) and a real slapd answer; an issuer
// nothing listens at and a wrong bind password are problems (exit 1); an
// OAuth 2.0 provider and a connection no application offers are said.
func TestDoctorConnections(t *testing.T) {
	issuer := testserver.Start(t)
	dir := slapdtest.Start(t, slapdtest.Options{})
	good := newDataDir(t)
	var app appJSON
	decodeJSON(t, mustRun(t, "", "app", "create", "--data-dir", good, "--name", "Web", "--redirect-uri", "http://127.0.0.1:9/cb", "--json"), &app)
	mustRun(t, "secret\n", "idp", "create", "oidc", "--data-dir", good, "--name", "Upstream", "--issuer", issuer.URL+"/oidc",
		"--client-id", "c", "--client-secret-stdin")
	mustRun(t, "", "idp", "enable", "upstream", "--data-dir", good, "--app", app.AppID)
	mustRun(t, dir.BindPassword+"\n", "idp", "create", "ldap", "--data-dir", good, "--name", "Directory", "--url", dir.URL,
		"--bind-dn", dir.BindDN, "--bind-password-stdin", "--base-dn", dir.BaseDN)
	mustRun(t, "", "idp", "enable", "directory", "--data-dir", good, "--app", app.AppID)
	mustRun(t, "secret\n", "idp", "create", "oauth2", "--data-dir", good, "--name", "GitHub", "--preset", "github",
		"--client-id", "c", "--client-secret-stdin")

	out, errOut, code := cliRun(t, "", "doctor", "--data-dir", good)
	for _, want := range []string{
		"ok    the oidc connection upstream answers\n",
		"ok    the ldap connection directory answers\n",
		"info  the oauth2 connection github is configured; an OAuth 2.0 provider can only be tried by signing in\n",
		"info  no application offers the connection github yet: genauth idp enable github --app APP_ID\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor does not say %q:\n%s", want, out)
		}
	}
	if code != 0 || strings.Contains(out, "no application offers the connection upstream") {
		t.Errorf("doctor: exit %d, stderr %q\n%s", code, errOut, out)
	}

	bad := newDataDir(t)
	mustRun(t, "secret\n", "idp", "create", "oidc", "--data-dir", bad, "--name", "Gone", "--issuer", "http://127.0.0.1:1/oidc",
		"--client-id", "c", "--client-secret-stdin")
	mustRun(t, "not-the-bind-pw-4321\n", "idp", "create", "ad", "--data-dir", bad, "--name", "Locked", "--url", dir.URL,
		"--bind-dn", dir.BindDN, "--bind-password-stdin", "--base-dn", dir.BaseDN)
	out, errOut, code = cliRun(t, "", "doctor", "--data-dir", bad)
	if code == 0 || !strings.Contains(out, "FAIL  the oidc connection gone does not work, so its users cannot sign in: ") ||
		!strings.Contains(out, "FAIL  the ad connection locked does not work, so its users cannot sign in: ") ||
		strings.Contains(out, "not-the-bind-pw-4321") {
		t.Errorf("doctor with broken connections: exit %d, stderr %q\n%s", code, errOut, out)
	}
}
