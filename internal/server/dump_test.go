package server_test

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/sessions"
	"github.com/opengenauth/genauth/internal/platform/token"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestDatabaseHoldsNoSecrets runs a full flow and then reads the raw
// database files: no issued token, code, session id, client secret or
// password may appear in them, in any common encoding.
func TestDatabaseHoldsNoSecrets(t *testing.T) {
	srv := testserver.Start(t)
	const password = "dump-test-password-7f3a"
	srv.CreateUser(t, "dumpuser", password)
	app, appSecret := srv.CreateApp(t, apps.CreateParams{RedirectURIs: []string{"http://localhost:3000/callback"}})
	browser := testserver.Browser(t)
	cfg := &oauth2.Config{
		ClientID: app.ID, ClientSecret: appSecret, RedirectURL: "http://localhost:3000/callback",
		Endpoint: oauth2.Endpoint{AuthURL: srv.URL + "/oidc/auth", TokenURL: srv.URL + "/oidc/token", AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   []string{"openid", "profile", "offline_access"},
	}
	verifier := oauth2.GenerateVerifier()
	loc := srv.Authorize(t, browser, cfg.AuthCodeURL("state", oauth2.S256ChallengeOption(verifier)), "dumpuser", password)
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", loc)
	}
	tok, err := cfg.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	refreshed, err := http.PostForm(srv.URL+"/oidc/token", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
		"client_id": {app.ID}, "client_secret": {appSecret},
	})
	if err != nil {
		t.Fatal(err)
	}
	var refreshedBody bytes.Buffer
	_, _ = refreshedBody.ReadFrom(refreshed.Body)
	refreshed.Body.Close()
	var sessionID string
	base, _ := url.Parse(srv.URL)
	for _, c := range browser.Jar.Cookies(base) {
		if c.Name == sessions.CookieName {
			sessionID = c.Value
		}
	}
	if sessionID == "" {
		t.Fatal("no session cookie")
	}

	secrets := map[string]string{
		"password":      password,
		"app secret":    appSecret,
		"code":          code,
		"access token":  tok.AccessToken,
		"refresh token": tok.RefreshToken,
		"session id":    sessionID,
	}
	if i := strings.Index(refreshedBody.String(), `"access_token":"`); i >= 0 {
		secrets["refreshed access token"] = refreshedBody.String()[i+16 : i+56]
	}
	srv.Store.Close() // flush the WAL into the files we read
	var dump []byte
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(srv.DBPath + suffix)
		if err == nil {
			dump = append(dump, b...)
		}
	}
	if len(dump) == 0 {
		t.Fatal("read no database bytes")
	}
	for name, v := range secrets {
		forms := []string{v, strings.ToUpper(v)}
		if raw, err := hex.DecodeString(v); err == nil {
			forms = append(forms, string(raw))
		}
		for _, f := range forms {
			if bytes.Contains(dump, []byte(f)) {
				t.Errorf("the database holds the %s in the clear", name)
			}
		}
	}
	// The check can fail: what is stored (the token's hash, the username) is found.
	for _, stored := range []string{token.Hash(tok.AccessToken), "dumpuser"} {
		if !bytes.Contains(dump, []byte(stored)) {
			t.Errorf("the dump lacks %q, which is stored; the test reads the wrong files", stored)
		}
	}
}
