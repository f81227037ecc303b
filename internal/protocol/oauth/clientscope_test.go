package oauth_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
)

// TestClientCredentialsScopes checks that the client_credentials grant
// gets only the scopes its application allows (issue 13 item 9): none by
// default, the listed ones, or any with "*".
func TestClientCredentialsScopes(t *testing.T) {
	t.Parallel()
	e := start(t)
	m2m := func(allowed string) client {
		return e.newApp(t, apps.CreateParams{GrantTypes: []string{model.GrantClientCredentials}, RedirectURIs: []string{},
			AllowedScopes: allowed})
	}
	for _, tc := range []struct {
		name, allowed, scope string
		want                 string // the granted scope, or "" with err
		err                  string
	}{
		{"default, no scope asked", "", "", "", ""},
		{"default, a scope asked", "", "admin", "", "invalid_scope"},
		{"default, openid asked", "", "openid profile", "", "invalid_scope"},
		{"listed, no scope asked", "read write", "", "", ""},
		{"listed, one asked", "read write", "write", "write", ""},
		{"listed, all asked", "read write", "write read read", "write read", ""},
		{"listed, one more asked", "read write", "read admin", "", "invalid_scope"},
		{"listed, a prefix asked", "read:all", "read", "", "invalid_scope"},
		{"any", "*", "admin openid", "admin openid", ""},
	} {
		c := m2m(tc.allowed)
		for _, prefix := range prefixes {
			form := url.Values{"grant_type": {"client_credentials"}}
			if tc.scope != "" {
				form.Set("scope", tc.scope)
			}
			r := post(t, e.url(prefix, "/token"), c.creds(form), nil)
			if tc.err != "" {
				wantError(t, r, http.StatusBadRequest, tc.err)
				continue
			}
			if r.status != http.StatusOK {
				t.Errorf("%s %s: status %d: %s", prefix, tc.name, r.status, r.body)
				continue
			}
			if got, _ := decode(t, r)["scope"].(string); got != tc.want {
				t.Errorf("%s %s: scope %q; want %q", prefix, tc.name, got, tc.want)
			}
		}
	}
}
