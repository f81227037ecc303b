package authn_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

func TestSignUp(t *testing.T) {
	s := testserver.Start(t)
	app, _ := s.CreateApp(t, apps.CreateParams{Name: "open", RedirectURIs: []string{"https://rp.example/cb"}})
	closed, _ := s.CreateApp(t, apps.CreateParams{Name: "closed", RedirectURIs: []string{"https://rp.example/cb"}, RegistrationClosed: true})
	verify, _ := s.CreateApp(t, apps.CreateParams{Name: "verify", RedirectURIs: []string{"https://rp.example/cb"}, RegistrationEmailVerify: true})
	s.CreateUser(t, "taken", "correct horse battery")
	to := func(id string) map[string]string { return map[string]string{"x-authing-app-id": id} }
	scrub := golden.Scrub{Strs: map[string]string{app.ID: "appId", verify.ID: "verifyAppId"},
		Keys: map[string]string{"requestId": `[^"]+`, "userId": `[^"]+`, "createdAt": `[^"]+`, "updatedAt": `[^"]+`}}

	resp, err := http.Get(s.URL + "/api/v3/system")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var info struct {
		RSA struct{ PublicKey string } `json:"rsa"`
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		t.Fatal(err)
	}
	der, _ := base64.StdEncoding.DecodeString(info.RSA.PublicKey)
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := rsa.EncryptPKCS1v15(rand.Reader, pub.(*rsa.PublicKey), []byte("an rsa secret here"))
	if err != nil {
		t.Fatal(err)
	}
	rsaPassword := base64.StdEncoding.EncodeToString(ct)

	for _, tc := range []struct {
		name, body string
		header     map[string]string
		status     int
		apiCode    int
		login, pw  string // when it succeeds: a sign-in that must now work
	}{
		{"signup-username", `{"connection":"PASSWORD","passwordPayload":{"username":"newbie","password":"a good new secret"},
			"profile":{"nickname":"Newb","gender":"M","customData":{"plan":"free"},"device":"ignored"}}`, to(app.ID), 200, 0, "newbie", "a good new secret"},
		{"signup-email", `{"connection":"PASSWORD","passwordPayload":{"email":"New@Example.com","password":"a good new secret"}}`,
			map[string]string{"x-genauth-app-id": app.ID}, 200, 0, "new@example.com", "a good new secret"},
		{"signup-rsa", `{"connection":"PASSWORD","passwordPayload":{"username":"crypto","password":"` + rsaPassword + `"},
			"options":{"passwordEncryptType":"rsa"}}`, to(app.ID), 200, 0, "crypto", "an rsa secret here"},
		{"signup-closed", `{"connection":"PASSWORD","passwordPayload":{"username":"shut","password":"a good new secret"}}`, to(closed.ID), 403, 2031, "", ""},
		{"signup-closed-zh", `{"connection":"PASSWORD","passwordPayload":{"username":"shut","password":"a good new secret"}}`,
			map[string]string{"x-authing-app-id": closed.ID, "x-authing-lang": "zh-CN"}, 403, 2031, "", ""},
		{"signup-email-verify", `{"connection":"PASSWORD","passwordPayload":{"email":"v@example.com","password":"a good new secret"}}`, to(verify.ID), 403, 0, "", ""},
		{"signup-username-where-email-verified", `{"connection":"PASSWORD","passwordPayload":{"username":"vera","password":"a good new secret"}}`,
			to(verify.ID), 200, 0, "vera", "a good new secret"},
		{"signup-taken", `{"connection":"PASSWORD","passwordPayload":{"username":"TAKEN","password":"a good new secret"}}`, to(app.ID), 409, 2026, "", ""},
		{"signup-weak-password", `{"connection":"PASSWORD","passwordPayload":{"username":"weak","password":"password"}}`, to(app.ID), 400, 0, "", ""},
		{"signup-both-logins", `{"connection":"PASSWORD","passwordPayload":{"username":"two","email":"two@example.com","password":"a good new secret"}}`, to(app.ID), 400, 0, "", ""},
		{"signup-no-login", `{"connection":"PASSWORD","passwordPayload":{"password":"a good new secret"}}`, to(app.ID), 400, 0, "", ""},
		{"signup-profile-email", `{"connection":"PASSWORD","passwordPayload":{"username":"pe","password":"a good new secret"},"profile":{"email":"pe@example.com"}}`, to(app.ID), 501, 0, "", ""},
		{"signup-profile-company", `{"connection":"PASSWORD","passwordPayload":{"username":"pc","password":"a good new secret"},"profile":{"company":"ACME"}}`, to(app.ID), 400, 0, "", ""},
		{"signup-bad-gender", `{"connection":"PASSWORD","passwordPayload":{"username":"pg","password":"a good new secret"},"profile":{"gender":"Q"}}`, to(app.ID), 400, 0, "", ""},
		{"signup-passcode", `{"connection":"PASSCODE","passCodePayload":{"email":"x@example.com","passCode":"123456"}}`, to(app.ID), 501, 0, "", ""},
		{"signup-no-connection", `{}`, to(app.ID), 400, 0, "", ""},
		{"signup-unknown-app", `{"connection":"PASSWORD","passwordPayload":{"username":"x","password":"a good new secret"}}`, to("nope"), 404, 2011, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := call(t, http.MethodPost, s.URL+"/api/v3/signup", tc.header, tc.body)
			if a.StatusCode != tc.status || a.APICode != tc.apiCode {
				t.Fatalf("got %d/%d, want %d/%d: %s", a.StatusCode, a.APICode, tc.status, tc.apiCode, a.raw)
			}
			golden.Check(t, tc.name, a.raw, scrub)
			if tc.login == "" {
				return
			}
			if _, err := s.Users.Authenticate(t.Context(), tc.login, tc.pw); err != nil {
				t.Errorf("the new user cannot sign in: %v", err)
			}
		})
	}

	// The hosted page's limit: registrations from one address per window.
	t.Run("signup-throttled", func(t *testing.T) {
		for i := range 12 {
			a := call(t, http.MethodPost, s.URL+"/api/v3/signup", to(app.ID),
				`{"connection":"PASSWORD","passwordPayload":{"username":"many`+string(rune('a'+i))+`","password":"a good new secret"}}`)
			if a.StatusCode == http.StatusTooManyRequests {
				golden.Check(t, "signup-throttled", a.raw, scrub)
				if _, err := s.Users.Authenticate(t.Context(), "many"+string(rune('a'+i)), "a good new secret"); err == nil {
					t.Error("a refused registration made a user")
				}
				return
			}
			if a.StatusCode != http.StatusOK {
				t.Fatalf("attempt %d: %s", i, a.raw)
			}
		}
		t.Fatal("12 more registrations from one address were all accepted")
	})
}
