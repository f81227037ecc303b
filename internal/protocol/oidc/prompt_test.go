package oidc_test

import (
	"slices"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestDiscoveryPromptValues checks that discovery advertises only the
// prompt values /oidc/auth acts on (select_account is accepted and ignored,
// so it is not advertised), and that each advertised one works.
func TestDiscoveryPromptValues(t *testing.T) {
	t.Parallel()
	e := start(t)
	var doc struct {
		Prompts []string `json:"prompt_values_supported"`
	}
	if err := e.provider.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	if want := []string{"none", "login", "consent"}; !slices.Equal(doc.Prompts, want) {
		t.Fatalf("prompt_values_supported = %q; want %q", doc.Prompts, want)
	}
	c := e.newApp(t, apps.CreateParams{})
	browser := testserver.Browser(t)
	e.srv.Authorize(t, browser, e.authURL(c), userName, userPassword) // a session for prompt=none
	for _, prompt := range doc.Prompts {
		l := e.srv.Follow(t, browser, e.authURL(c, "prompt", prompt), userName, userPassword)
		if prompt == "consent" {
			if l.Location != nil {
				t.Fatalf("prompt=consent redirected to %s; want the consent page", l.Location)
			}
			l = e.srv.Consent(t, browser, l, "approve")
		}
		if q := callbackParams(t, l.Location, "query"); q.Get("code") == "" {
			t.Errorf("prompt=%s: %v; want a code", prompt, q)
		}
	}
}
