package authentication_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/authentication"
	"github.com/opengenauth/genauth/internal/testkit/slapdtest"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// manage calls the management API with a management token and returns the
// data, failing t on a failure.
func manage(t *testing.T, srv *testserver.Server, token, name string, body map[string]any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/api/v3/"+name, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		StatusCode int            `json:"statusCode"`
		Message    string         `json:"message"`
		Data       map[string]any `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.StatusCode != 200 {
		t.Fatalf("%s: %d %s (%v)", name, env.StatusCode, env.Message, err)
	}
	return env.Data
}

// TestE2EUpstream drives the upstream providers' calls of the SDK against
// the server and a real slapd.
func TestE2EUpstream(t *testing.T) {
	dir := slapdtest.Start(t, slapdtest.Options{})
	e := newE2E(t, authentication.ProtocolOIDC, authentication.AuthClientSecretPost)
	ctx := t.Context()
	token := e.srv.ManagementToken(t)
	conn := func(typ, identifier string, fields map[string]any) string {
		p := manage(t, e.srv, token, "create-ext-idp", map[string]any{"name": identifier, "type": typ})
		c := manage(t, e.srv, token, "create-ext-idp-conn", map[string]any{"extIdpId": p["id"], "identifier": identifier, "fields": fields})
		manage(t, e.srv, token, "change-ext-idp-conn-state", map[string]any{"id": c["id"], "enabled": true, "appId": e.app.ID})
		return p["id"].(string)
	}
	ldapID := conn("ldap", "staff", map[string]any{"url": dir.URL, "bindDn": dir.BindDN, "baseDn": slapdtest.PeopleDN, "bindPassword": dir.BindPassword})
	e.srv.Clock.Advance(time.Second) // listed in the order they were made
	conn("oidc", "corp", map[string]any{"issuer": "https://sso.corp.invalid", "clientId": "genauth", "clientSecret": "s"})

	var apiErr *authentication.APIError
	if _, err := e.client.SignInByLDAP(ctx, "alice", "wrong", nil); !errors.As(err, &apiErr) || apiErr.APICode != 2333 {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := e.client.SignInByAD(ctx, "carol", slapdtest.Carol.Password, nil); !errors.As(err, &apiErr) || apiErr.APICode != 2820002 {
		t.Fatalf("no AD connection: %v", err)
	}
	tokens, err := e.client.SignInByLDAP(ctx, "alice", slapdtest.Alice.Password, &authentication.SignInOptions{Scope: "openid email"})
	if err != nil {
		t.Fatal(err)
	}
	list, err := e.client.GetApplicationEnabledExtIdps(ctx)
	if err != nil || len(list) != 2 || list[0].Identifier != "staff" || list[0].ExtIdpType != "enterprise" || list[1].ExtIdpType != "social" {
		t.Fatalf("enabled: %+v, %v", list, err)
	}
	ids, err := e.client.GetIdentities(ctx, tokens.AccessToken)
	if err != nil || len(ids) != 1 || ids[0].ExtIdpID != ldapID || ids[0].UserIDInIdp != slapdtest.Alice.EntryUUID || ids[0].Type != "primary" {
		t.Fatalf("identities: %+v, %v", ids, err)
	}
	link, err := e.client.GenerateLinkExtIdpURL(ctx, "corp", tokens.IDToken)
	if err != nil || !strings.HasPrefix(link, e.srv.URL+"/connections/corp/link?ticket=") {
		t.Fatalf("link: %q, %v", link, err)
	}
	if err := e.client.UnlinkExtIdp(ctx, tokens.AccessToken, ldapID); !errors.As(err, &apiErr) || apiErr.StatusCode != 422 {
		t.Fatalf("unlinking the last way in: %v", err)
	}
}
