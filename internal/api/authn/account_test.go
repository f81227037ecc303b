package authn_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

func TestAccountEndpoints(t *testing.T) {
	s := testserver.Start(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"},
		GrantTypes: []string{model.GrantAuthorizationCode, model.GrantRefreshToken}})
	other, _ := s.CreateApp(t, apps.CreateParams{Name: "other", RedirectURIs: []string{"https://other.example/cb"}})
	u := s.CreateUser(t, "carol", "correct horse battery")
	s.CreateUser(t, "dave", "correct horse battery")
	hdr := map[string]string{"x-authing-app-id": app.ID}
	signIn := func(pw string) (string, answer) {
		a := call(t, http.MethodPost, s.URL+"/api/v3/signin", hdr, `{"connection":"PASSWORD","passwordPayload":{"username":"carol","password":"`+
			pw+`"},"client_id":"`+app.ID+`","client_secret":"`+secret+`","options":{"scope":"openid offline_access"}}`)
		var set struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.Unmarshal(a.Data, &set)
		return set.AccessToken, a
	}
	as := func(tok string) map[string]string {
		return map[string]string{"x-authing-app-id": app.ID, "Authorization": tok}
	}
	first, a := signIn("correct horse battery")
	if first == "" {
		t.Fatalf("no token: %s", a.raw)
	}
	second, _ := signIn("correct horse battery")
	scrub := golden.Scrub{Strs: map[string]string{app.ID: "appId", other.ID: "otherAppId", u.ID: "userId"},
		Keys: map[string]string{"requestId": `[^"]+`, "createdAt": `[^"]+`, "updatedAt": `[^"]+`, "lastLogin": `[^"]+`,
			"lastIp": `[^"]+`, "loginAt": `[^"]+`, "clientIp": `[^"]*`, "userAgent": `[^"]*`}}

	for _, tc := range []struct {
		name, method, endpoint, body, auth string
		status, apiCode                    int
	}{
		{"update-profile", "POST", "update-profile", `{"nickname":"Caz","gender":"f","customData":{"team":"red"},"email":"x@y.z","password":"ignored"}`, first, 200, 0},
		{"update-profile-username-taken", "POST", "update-profile", `{"username":"dave"}`, first, 409, 2026},
		{"update-profile-bad-gender", "POST", "update-profile", `{"gender":"X"}`, first, 400, 0},
		{"update-profile-unkept-field", "POST", "update-profile", `{"company":"ACME"}`, first, 400, 0},
		{"update-profile-no-token", "POST", "update-profile", `{"nickname":"x"}`, "", 401, 2020},
		{"get-security-info", "GET", "get-security-info", "", first, 200, 0},
		{"get-my-login-history", "GET", "get-my-login-history?page=1&limit=1", "", first, 200, 0},
		{"get-my-login-history-failures", "GET", "get-my-login-history?success=False", "", first, 200, 0},
		{"get-my-login-history-bad-page", "GET", "get-my-login-history?page=x", "", first, 400, 0},
		{"get-my-logged-in-apps", "GET", "get-my-logged-in-apps", "", first, 200, 0},
		{"get-my-accessible-apps", "GET", "get-my-accessible-apps", "", first, 200, 0},
		{"update-password-no-old", "POST", "update-password", `{"newPassword":"a brand new secret"}`, first, 400, 0},
		{"update-password-wrong-old", "POST", "update-password", `{"newPassword":"a brand new secret","oldPassword":"not my password"}`, first, 403, 2006},
		{"update-password-weak", "POST", "update-password", `{"newPassword":"password","oldPassword":"correct horse battery"}`, first, 400, 0},
		{"update-password-sm2", "POST", "update-password", `{"newPassword":"x","oldPassword":"y","passwordEncryptType":"sm2"}`, first, 501, 0},
		{"update-password", "POST", "update-password", `{"newPassword":"a brand new secret","oldPassword":"correct horse battery"}`, first, 200, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := call(t, tc.method, s.URL+"/api/v3/"+tc.endpoint, as(tc.auth), tc.body)
			if a.StatusCode != tc.status || a.APICode != tc.apiCode {
				t.Fatalf("got %d/%d, want %d/%d: %s", a.StatusCode, a.APICode, tc.status, tc.apiCode, a.raw)
			}
			golden.Check(t, tc.name, a.raw, scrub)
		})
	}

	t.Run("after update-password", func(t *testing.T) {
		if a := call(t, "GET", s.URL+"/api/v3/get-profile", as(first), ""); a.StatusCode != 200 {
			t.Errorf("the calling token was refused: %s", a.raw)
		}
		if a := call(t, "GET", s.URL+"/api/v3/get-profile", as(second), ""); a.StatusCode != 401 {
			t.Errorf("another session's token still works: %s", a.raw)
		}
		if _, a := signIn("correct horse battery"); a.StatusCode != 403 {
			t.Errorf("the old password still signs in: %s", a.raw)
		}
		if tok, a := signIn("a brand new secret"); tok == "" {
			t.Errorf("the new password does not sign in: %s", a.raw)
		}
	})

	t.Run("only the caller's history", func(t *testing.T) {
		dave := call(t, http.MethodPost, s.URL+"/api/v3/signin", hdr, `{"connection":"PASSWORD","passwordPayload":{"username":"dave","password":"correct horse battery"},"client_id":"`+app.ID+`","client_secret":"`+secret+`"}`)
		var set struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(dave.Data, &set); err != nil {
			t.Fatal(err)
		}
		a := call(t, "GET", s.URL+"/api/v3/get-my-login-history?limit=50", as(set.AccessToken), "")
		var page struct {
			TotalCount int `json:"totalCount"`
			List       []struct {
				UserID string `json:"userId"`
			} `json:"list"`
		}
		if err := json.Unmarshal(a.Data, &page); err != nil {
			t.Fatal(err)
		}
		if page.TotalCount != 1 || len(page.List) != 1 || page.List[0].UserID == u.ID {
			t.Errorf("dave's history: %s", a.raw)
		}
	})
}
