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
		{"signup-profile-email", `{"connection":"PASSWORD","passwordPayload":{"username":"pe","password":"a good new secret"},"profile":{"email":"pe@example.com"}}`, to(app.ID), 400, 0, "", ""},
		{"signup-profile-company", `{"connection":"PASSWORD","passwordPayload":{"username":"pc","password":"a good new secret"},"profile":{"company":"ACME"}}`, to(app.ID), 400, 0, "", ""},
		{"signup-bad-gender", `{"connection":"PASSWORD","passwordPayload":{"username":"pg","password":"a good new secret"},"profile":{"gender":"Q"}}`, to(app.ID), 400, 0, "", ""},
		{"signup-passcode-unsent", `{"connection":"PASSCODE","passCodePayload":{"email":"x@example.com","passCode":"123456"}}`, to(app.ID), 403, 2001, "", ""},
		{"signup-passcode-both", `{"connection":"PASSCODE","passCodePayload":{"email":"x@example.com","phone":"13800000000","passCode":"123456"}}`, to(app.ID), 400, 0, "", ""},
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

func TestSignUpByCode(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) { testSignUpByCode(t, b) })
	}
}

// testSignUpByCode: codes of CHANNEL_REGISTER and the completion channels,
// delivered for real, prove the addresses a sign-up gives; each is used once.
func testSignUpByCode(t *testing.T, b testserver.Backend) {
	s := b.Start(t)
	in := s.StartInbox(t)
	app, _ := s.CreateApp(t, apps.CreateParams{Name: "open", RedirectURIs: []string{"https://rp.example/cb"}})
	verify, _ := s.CreateApp(t, apps.CreateParams{Name: "verify", RedirectURIs: []string{"https://rp.example/cb"}, RegistrationEmailVerify: true})
	scrub := golden.Scrub{Strs: map[string]string{app.ID: "appId", verify.ID: "verifyAppId"},
		Keys: map[string]string{"requestId": `[^"]+`, "userId": `[^"]+`, "createdAt": `[^"]+`, "updatedAt": `[^"]+`}}
	send := func(appID, endpoint, body, to string) string {
		t.Helper()
		if a := call(t, http.MethodPost, s.URL+"/api/v3/"+endpoint, map[string]string{"x-authing-app-id": appID}, body); a.StatusCode != 200 {
			t.Fatalf("%s: %s", endpoint, a.raw)
		}
		code := in.Deliver(t)[to]
		if len(code) != 6 {
			t.Fatalf("no code arrived for %s", to)
		}
		return code
	}
	signUp := func(appID, body string, status, apiCode int, goldenName string) answer {
		t.Helper()
		a := call(t, http.MethodPost, s.URL+"/api/v3/signup", map[string]string{"x-authing-app-id": appID}, body)
		if a.StatusCode != status || a.APICode != apiCode {
			t.Fatalf("%s: got %d/%d, want %d/%d: %s", goldenName, a.StatusCode, a.APICode, status, apiCode, a.raw)
		}
		if goldenName != "" && b.Name == "sqlite" {
			golden.Check(t, goldenName, a.raw, scrub)
		}
		return a
	}
	var dto struct {
		Email, Phone                 string
		EmailVerified, PhoneVerified bool
	}
	decode := func(a answer) {
		t.Helper()
		dto.Email, dto.Phone, dto.EmailVerified, dto.PhoneVerified = "", "", false, false
		if err := json.Unmarshal(a.Data, &dto); err != nil {
			t.Fatal(err)
		}
	}

	// By email code: no password, the email verified; the code is used up.
	code := send(app.ID, "send-email", `{"channel":"CHANNEL_REGISTER","email":"ann@example.com"}`, "ann@example.com")
	body := `{"connection":"PASSCODE","passCodePayload":{"email":"Ann@Example.com","passCode":"` + code + `"},"profile":{"nickname":"Ann"}}`
	decode(signUp(app.ID, body, 200, 0, "signup-passcode-email"))
	if dto.Email != "ann@example.com" || !dto.EmailVerified {
		t.Errorf("email sign-up: %+v", dto)
	}
	signUp(app.ID, body, 403, 2001, "")

	// By phone code with a password.
	code = send(app.ID, "send-sms", `{"channel":"CHANNEL_REGISTER","phoneNumber":"13800000002","phoneCountryCode":"+86"}`, "+8613800000002")
	decode(signUp(app.ID, `{"connection":"PASSCODE","passCodePayload":{"phone":"13800000002","phoneCountryCode":"+86","passCode":"`+code+`"},
		"options":{"passwordForPhonePassCode":"a good new secret"}}`, 200, 0, "signup-passcode-phone"))
	if dto.Phone != "+8613800000002" || !dto.PhoneVerified || dto.EmailVerified {
		t.Errorf("phone sign-up: %+v", dto)
	}
	if _, err := s.Users.Authenticate(t.Context(), "+8613800000002", "a good new secret"); err != nil {
		t.Errorf("passwordForPhonePassCode did not set the password: %v", err)
	}

	// Password sign-up completing an email and a phone with their codes.
	ce := send(app.ID, "send-email", `{"channel":"CHANNEL_COMPLETE_EMAIL","email":"bo@example.com"}`, "bo@example.com")
	cp := send(app.ID, "send-sms", `{"channel":"CHANNEL_COMPLETE_PHONE","phoneNumber":"+8613800000003"}`, "+8613800000003")
	wrong := "000000"
	if cp == wrong {
		wrong = "111111"
	}
	complete := func(phoneCode string) string {
		return `{"connection":"PASSWORD","passwordPayload":{"username":"bo","password":"a good new secret"},
			"profile":{"email":"bo@example.com","phone":"+8613800000003"},
			"options":{"emailPassCodeForInformationCompletion":"` + ce + `","phonePassCodeForInformationCompletion":"` + phoneCode + `"}}`
	}
	// A wrong phone code spends neither code.
	signUp(app.ID, complete(wrong), 403, 2001, "signup-completion-wrong-code")
	decode(signUp(app.ID, complete(cp), 200, 0, "signup-completion"))
	if dto.Email != "bo@example.com" || dto.Phone != "+8613800000003" || !dto.EmailVerified || !dto.PhoneVerified {
		t.Errorf("completed sign-up: %+v", dto)
	}

	// An application that wants the email verified first takes the completion code.
	signUp(verify.ID, `{"connection":"PASSWORD","passwordPayload":{"email":"cy@example.com","password":"a good new secret"}}`, 403, 0, "")
	code = send(verify.ID, "send-email", `{"channel":"CHANNEL_COMPLETE_EMAIL","email":"cy@example.com"}`, "cy@example.com")
	decode(signUp(verify.ID, `{"connection":"PASSWORD","passwordPayload":{"email":"cy@example.com","password":"a good new secret"},
		"options":{"emailPassCodeForInformationCompletion":"`+code+`"}}`, 200, 0, "signup-email-verified-by-code"))
	if !dto.EmailVerified {
		t.Errorf("the email proven by a code is not verified: %+v", dto)
	}
	signUp(verify.ID, `{"connection":"PASSWORD","passwordPayload":{"username":"dee","password":"a good new secret"},
		"options":{"emailPassCodeForInformationCompletion":"123456"}}`, 400, 0, "")
	signUp(verify.ID, `{"connection":"PASSWORD","passwordPayload":{"email":"dee@example.com","password":"a good new secret"},
		"profile":{"email":"other@example.com"},"options":{"emailPassCodeForInformationCompletion":"123456"}}`, 400, 0, "")
}
