package authn_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

type answer struct {
	StatusCode int             `json:"statusCode"`
	APICode    int             `json:"apiCode"`
	Message    string          `json:"message"`
	Data       json.RawMessage `json:"data"`
	raw        []byte
}

func call(t *testing.T, method, url string, header map[string]string, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d: %s", resp.StatusCode, raw)
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	a.raw = raw
	return a
}

func TestAuthenticationAPI(t *testing.T) {
	s := testserver.Start(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"},
		GrantTypes: []string{model.GrantAuthorizationCode, model.GrantRefreshToken}})
	basicApp, basicSecret := s.CreateApp(t, apps.CreateParams{Name: "basic", RedirectURIs: []string{"https://rp.example/cb"}, TokenAuthMethod: model.AuthClientSecretBasic})
	u := s.CreateUser(t, "alice", "correct horse battery")
	hdr := map[string]string{"x-authing-app-id": app.ID, "Content-Type": "application/json"}
	post := func(name, body string, h map[string]string) answer {
		return call(t, http.MethodPost, s.URL+"/api/v3/"+name, h, body)
	}
	signin := func(payload, extra string) string {
		return `{"connection":"PASSWORD","passwordPayload":` + payload + `,"client_id":"` + app.ID + `","client_secret":"` + secret + `"` + extra + `}`
	}
	scrub := golden.Scrub{Strs: map[string]string{app.ID: "appId", u.ID: "userId"},
		Keys: map[string]string{"requestId": `[^"]+`, "access_token": `[^"]+`, "id_token": `[^"]+`, "refresh_token": `[^"]+`, "createdAt": `[^"]+`, "updatedAt": `[^"]+`, "lastLogin": `[^"]+`, "lastIp": `[^"]+`}}

	for _, tc := range []struct {
		name, endpoint, body string
		header               map[string]string
		status, apiCode      int
	}{
		{"signin-username", "signin", signin(`{"username":"alice","password":"correct horse battery"}`, `,"options":{"scope":"openid profile offline_access"}`), hdr, 200, 0},
		{"signin-account", "signin", signin(`{"account":"ALICE","password":"correct horse battery"}`, ""), map[string]string{"X-GenAuth-App-Id": app.ID}, 200, 0},
		{"signin-wrong-password", "signin", signin(`{"username":"alice","password":"wrong password!"}`, ""), hdr, 403, 2333},
		{"signin-unknown-account", "signin", signin(`{"username":"nobody","password":"wrong password!"}`, ""), hdr, 403, 2333},
		{"signin-zh", "signin", signin(`{"username":"nobody","password":"wrong password!"}`, ""), map[string]string{"x-authing-app-id": app.ID, "x-authing-lang": "zh-CN"}, 403, 2333},
		{"signin-unknown-app", "signin", signin(`{"username":"alice","password":"x"}`, ""), map[string]string{"x-authing-app-id": "nope"}, 404, 2011},
		{"signin-no-secret", "signin", `{"connection":"PASSWORD","passwordPayload":{"username":"alice","password":"correct horse battery"}}`, hdr, 401, 0},
		{"signin-sm2", "signin", signin(`{"username":"alice","password":"x"}`, `,"options":{"passwordEncryptType":"sm2"}`), hdr, 501, 0},
		{"signin-ldap", "signin", `{"connection":"LDAP","ldapPayload":{"sAMAccountName":"a","password":"b"}}`, hdr, 400, 2820002},
		{"signin-no-connection", "signin", `{}`, hdr, 400, 0},
		{"signin-basic", "signin", `{"connection":"PASSWORD","passwordPayload":{"username":"alice","password":"correct horse battery"}}`,
			map[string]string{"x-authing-app-id": basicApp.ID, "Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(basicApp.ID+":"+basicSecret))}, 200, 0},
		{"validate-password-right", "validate-password", `{"username":"alice","password":"correct horse battery"}`, hdr, 200, 0},
		{"validate-password-wrong", "validate-password", `{"username":"alice","password":"not it at all"}`, hdr, 200, 0},
		{"check-app-id-secret-right", "check-app-id-secret", `{"appId":"` + app.ID + `","appSecret":"` + secret + `"}`, nil, 200, 0},
		{"check-app-id-secret-wrong", "check-app-id-secret", `{"appId":"` + app.ID + `","appSecret":"nope"}`, nil, 200, 0},
		{"unknown-endpoint", "no-such-thing", `{}`, hdr, 404, 0},
		{"not-yet-endpoint", "get-my-tenant-list", `{}`, hdr, 501, 0},
		{"not-yet-endpoint-under", "webauthn/registration/initialize", `{}`, hdr, 501, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := post(tc.endpoint, tc.body, tc.header)
			if a.StatusCode != tc.status || a.APICode != tc.apiCode {
				t.Fatalf("got %d/%d, want %d/%d: %s", a.StatusCode, a.APICode, tc.status, tc.apiCode, a.raw)
			}
			if tc.name != "signin-basic" {
				golden.Check(t, tc.name, a.raw, scrub)
			}
		})
	}

	t.Run("rsa", func(t *testing.T) {
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
			t.Fatalf("%s: %v", raw, err)
		}
		golden.Check(t, "system", raw, golden.Scrub{Keys: map[string]string{"publicKey": `[A-Za-z0-9+/=]{100,}`}})
		der, err := base64.StdEncoding.DecodeString(info.RSA.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			t.Fatal(err)
		}
		if n := pub.(*rsa.PublicKey).N.BitLen(); n != 2048 {
			t.Fatalf("the key has %d bits", n)
		}
		encrypt := func(pw string) string {
			c, err := rsa.EncryptPKCS1v15(rand.Reader, pub.(*rsa.PublicKey), []byte(pw))
			if err != nil {
				t.Fatal(err)
			}
			return base64.StdEncoding.EncodeToString(c)
		}
		rsaOpts := `,"options":{"passwordEncryptType":"rsa"}`
		for _, tc := range []struct {
			name, password  string
			status, apiCode int
		}{
			{"right", encrypt("correct horse battery"), 200, 0},
			{"wrong", encrypt("not the password"), 403, 2333},
			// A ciphertext that does not open is a wrong password, not a padding error.
			{"bad padding", base64.StdEncoding.EncodeToString(make([]byte, 256)), 403, 2333},
			{"not base64", "%%%", 400, 2016},
		} {
			a := post("signin", signin(`{"username":"alice","password":"`+tc.password+`"}`, rsaOpts), hdr)
			if a.StatusCode != tc.status || a.APICode != tc.apiCode {
				t.Errorf("%s: got %d/%d, want %d/%d: %s", tc.name, a.StatusCode, a.APICode, tc.status, tc.apiCode, a.raw)
			}
		}
	})

	t.Run("get-profile", func(t *testing.T) {
		a := post("signin", signin(`{"email":"","username":"alice","password":"correct horse battery"}`, ""), hdr)
		var set struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(a.Data, &set); err != nil || set.AccessToken == "" {
			t.Fatalf("no token: %s", a.raw)
		}
		for _, tc := range []struct {
			name, auth, query string
			status            int
		}{
			{"get-profile", set.AccessToken, "", 200},
			{"get-profile-custom-data", "Bearer " + set.AccessToken, "?withCustomData=True", 200},
			{"get-profile-no-token", "", "", 401},
			{"get-profile-bad-token", "Bearer nope", "", 401},
		} {
			a := call(t, http.MethodGet, s.URL+"/api/v3/get-profile"+tc.query, map[string]string{"Authorization": tc.auth, "x-authing-app-id": app.ID}, "")
			if a.StatusCode != tc.status {
				t.Fatalf("%s: got %d: %s", tc.name, a.StatusCode, a.raw)
			}
			golden.Check(t, tc.name, a.raw, scrub)
		}
	})
}

// expect fails t unless a has status and apiCode, and pins a's body in the
// golden file goldenName ("": none) on one backend, the answers being the
// same on both.
func expect(t *testing.T, b testserver.Backend, scrub golden.Scrub, what string, a answer, status, apiCode int, goldenName string) {
	t.Helper()
	if a.StatusCode != status || a.APICode != apiCode {
		t.Fatalf("%s: got %d/%d, want %d/%d: %s", what, a.StatusCode, a.APICode, status, apiCode, a.raw)
	}
	if goldenName != "" && b.Name == "sqlite" {
		golden.Check(t, goldenName, a.raw, scrub)
	}
}
