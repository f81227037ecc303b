package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/server"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// A change another node makes to an application reaches this node when the
// server's own clock says the cache entry expired, so tests (and nodes with a
// settable clock) never wait on the wall clock.
func TestAppCacheFollowsTheServersClock(t *testing.T) {
	srv := testserver.Start(t)
	app, oldSecret := srv.CreateApp(t, apps.CreateParams{
		GrantTypes: []string{model.GrantClientCredentials},
	})
	introspect := func(secret string) int {
		t.Helper()
		resp, err := http.PostForm(srv.URL+"/oauth/token/introspection", url.Values{
			"token": {"not-a-token"}, "client_id": {app.ID}, "client_secret": {secret}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := introspect(oldSecret); got != http.StatusOK {
		t.Fatalf("old secret before the change: status %d, want 200", got)
	}

	// Another node resets the secret: this node's cache does not hear of it.
	const newSecret = "a-secret-set-on-another-node"
	changed := *app
	changed.SecretHash = token.Hash(newSecret)
	if err := srv.Store.UpdateApplication(t.Context(), &changed); err != nil {
		t.Fatal(err)
	}
	if got := introspect(oldSecret); got != http.StatusOK {
		t.Fatalf("old secret within the cache lifetime: status %d, want 200 (cached)", got)
	}

	srv.Clock.Advance(server.AppCacheTTL)
	if got := introspect(oldSecret); got != http.StatusUnauthorized {
		t.Errorf("old secret after the cache lifetime on the server's clock: status %d, want 401", got)
	}
	if got := introspect(newSecret); got != http.StatusOK {
		t.Errorf("new secret after the cache lifetime on the server's clock: status %d, want 200", got)
	}
}
