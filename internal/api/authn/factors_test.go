package authn_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/golden"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

func TestMFAFactors(t *testing.T) {
	for _, b := range testserver.Backends {
		t.Run(b.Name, func(t *testing.T) { testMFAFactors(t, b) })
	}
}

// enrollData is what the tests read of send-enroll-factor-request's data.
type enrollData struct {
	EnrollmentToken string `json:"enrollmentToken"`
	OTPData         struct {
		QRCodeURI     string `json:"qrCodeUri"`
		QRCodeDataURL string `json:"qrCodeDataUrl"`
		RecoveryCode  string `json:"recoveryCode"`
	} `json:"otpData"`
}

func testMFAFactors(t *testing.T, b testserver.Backend) {
	s := b.Start(t)
	in := s.StartInbox(t)
	app, secret := s.CreateApp(t, apps.CreateParams{Name: "web", RedirectURIs: []string{"https://rp.example/cb"}})
	u := s.CreateUser(t, "dana", "correct horse battery")
	scrub := golden.Scrub{Strs: map[string]string{app.ID: "appId", u.ID: "userId"},
		Keys: map[string]string{"requestId": `[^"]+`, "mfaToken": `[^"]+`, "access_token": `[^"]+`, "id_token": `[^"]+`,
			"enrollmentToken": `[^"]+`, "qrCodeUri": `[^"]+`, "qrCodeDataUrl": `[^"]+`, "recoveryCode": `[^"]+`, "factorId": `[^"]+`}}
	do := func(method, name, auth, body string) answer {
		return call(t, method, s.URL+"/api/v3/"+name, map[string]string{"x-authing-app-id": app.ID, "Authorization": auth}, body)
	}
	want := func(what string, a answer, status, apiCode int, goldenName string, into any) {
		t.Helper()
		expect(t, b, scrub, what, a, status, apiCode, goldenName)
		if into != nil {
			if err := json.Unmarshal(a.Data, into); err != nil {
				t.Fatalf("%s: %v: %s", what, err, a.raw)
			}
		}
	}
	signin := func(username string) string {
		return `{"connection":"PASSWORD","passwordPayload":{"username":"` + username + `","password":"correct horse battery"},"client_id":"` +
			app.ID + `","client_secret":"` + secret + `"}`
	}
	var set mfaData
	want("signin", do("POST", "signin", "", signin("dana")), 200, 0, "", &set)
	access := set.AccessToken

	var kinds []struct{ FactorType string }
	want("to enroll", do("GET", "list-factors-to-enroll", access, ""), 200, 0, "list-factors-to-enroll", &kinds)
	if len(kinds) != 3 {
		t.Fatalf("%v", kinds)
	}
	want("face", do("POST", "send-enroll-factor-request", access, `{"factorType":"FACE"}`), 501, 0, "send-enroll-factor-request-face", nil)
	want("unknown type", do("POST", "send-enroll-factor-request", access, `{"factorType":"FAX"}`), 400, 0, "", nil)
	want("no token", do("POST", "send-enroll-factor-request", "", `{"factorType":"OTP"}`), 401, 2020, "", nil)

	// OTP: the secret in the URI and a QR code; the first TOTP code enrolls it.
	var otp enrollData
	want("otp request", do("POST", "send-enroll-factor-request", access, `{"factorType":"OTP"}`), 200, 0, "send-enroll-factor-request-otp", &otp)
	uri, err := url.Parse(otp.OTPData.QRCodeURI)
	if err != nil || uri.Scheme != "otpauth" || !strings.HasPrefix(otp.OTPData.QRCodeDataURL, "data:image/png;base64,") || len(otp.OTPData.RecoveryCode) != 29 {
		t.Fatalf("%+v", otp)
	}
	secretKey := uri.Query().Get("secret")
	code := func() string {
		t.Helper()
		c, err := totp.GenerateCode(secretKey, s.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	enroll := func(factorType, tok, passCode string) string {
		return `{"factorType":"` + factorType + `","enrollmentToken":"` + tok + `","enrollmentData":{"passCode":"` + passCode + `"}}`
	}
	wrong := "000000"
	if code() == wrong {
		wrong = "111111"
	}
	want("otp wrong", do("POST", "enroll-factor", access, enroll("OTP", otp.EnrollmentToken, wrong)), 403, 6001, "enroll-factor-otp-wrong", nil)
	want("otp bad token", do("POST", "enroll-factor", access, enroll("OTP", "nope", code())), 403, 0, "enroll-factor-bad-token", nil)
	want("otp as sms", do("POST", "enroll-factor", access, enroll("SMS", otp.EnrollmentToken, code())), 403, 0, "", nil)
	want("otp", do("POST", "enroll-factor", access, enroll("OTP", otp.EnrollmentToken, code())), 200, 0, "enroll-factor", nil)
	want("otp token again", do("POST", "enroll-factor", access, enroll("OTP", otp.EnrollmentToken, code())), 403, 0, "", nil)
	want("otp again", do("POST", "send-enroll-factor-request", access, `{"factorType":"OTP"}`), 409, 0, "send-enroll-factor-request-exists", nil)

	// SMS: a code is sent to the number; it enrolls the number (listed after the OTP factor, being newer).
	s.Clock.Advance(time.Second)
	var sms enrollData
	want("sms no profile", do("POST", "send-enroll-factor-request", access, `{"factorType":"SMS"}`), 400, 0, "", nil)
	want("sms request", do("POST", "send-enroll-factor-request", access, `{"factorType":"SMS","profile":{"phoneNumber":"13800000003"}}`), 200, 0, "send-enroll-factor-request-sms", &sms)
	sent := in.Deliver(t)["+8613800000003"]
	if len(sent) != 6 {
		t.Fatal("no code was sent")
	}
	want("sms", do("POST", "enroll-factor", access, enroll("SMS", sms.EnrollmentToken, sent)), 200, 0, "", nil)
	s.Clock.Advance(time.Second)

	var factors []struct{ FactorID, FactorType string }
	want("enrolled", do("GET", "list-enrolled-factors", access, ""), 200, 0, "list-enrolled-factors", &factors)
	if len(factors) != 2 || factors[0].FactorType != model.FactorTOTP || factors[1].FactorType != model.FactorSMS {
		t.Fatalf("%+v", factors)
	}
	want("get-factor", do("GET", "get-factor?factorId="+factors[0].FactorID, access, ""), 200, 0, "get-factor", nil)
	want("get-factors", do("GET", "get-factors?factorId="+factors[1].FactorID, access, ""), 200, 0, "get-factors", nil)
	want("get-factor unknown", do("GET", "get-factor?factorId=nope", access, ""), 404, 0, "get-factor-unknown", nil)
	var info struct{ MFAEnrolled bool }
	want("security info", do("GET", "get-security-info", access, ""), 200, 0, "", &info)
	if !info.MFAEnrolled {
		t.Fatal("get-security-info says no MFA")
	}
	want("to enroll now", do("GET", "list-factors-to-enroll", access, ""), 200, 0, "", &kinds)
	if len(kinds) != 1 || kinds[0].FactorType != model.FactorEmail {
		t.Fatalf("%v", kinds)
	}

	var email enrollData
	want("email request", do("POST", "send-enroll-factor-request", access, `{"factorType":"EMAIL","profile":{"email":"Dana@Example.com"}}`), 200, 0, "", &email)
	sent = in.Deliver(t)["dana@example.com"]
	if len(sent) != 6 {
		t.Fatal("no code was sent")
	}
	want("email", do("POST", "enroll-factor", access, enroll("EMAIL", email.EnrollmentToken, sent)), 200, 0, "", nil)
	want("enrolled three", do("GET", "list-enrolled-factors", access, ""), 200, 0, "", &factors)
	if len(factors) != 3 || factors[2].FactorType != model.FactorEmail {
		t.Fatalf("%+v", factors)
	}
	want("get email factor", do("GET", "get-factor?factorId="+factors[2].FactorID, access, ""), 200, 0, "get-factor-email", nil)

	// Removing a factor needs a recent sign-in.
	s.Clock.Advance(16 * time.Minute)
	want("reset not recent", do("POST", "reset-factor", access, `{"factorId":"`+factors[1].FactorID+`"}`), 403, 0, "reset-factor-not-recent", nil)
	var gate mfaData
	want("signin again", do("POST", "signin", "", signin("dana")), 403, 1636, "", &gate)
	want("sign in with totp", do("POST", "mfa-totp-verify", gate.MFAToken, `{"totp":"`+code()+`"}`), 200, 0, "", &set)
	want("reset with the mfaToken", do("POST", "reset-factor", gate.MFAToken, `{"factorId":"`+factors[1].FactorID+`"}`), 401, 2020, "", nil)
	want("reset", do("POST", "reset-factor", set.AccessToken, `{"factorId":"`+factors[1].FactorID+`"}`), 200, 0, "reset-factor", nil)
	want("reset again", do("POST", "reset-factor", set.AccessToken, `{"factorId":"`+factors[1].FactorID+`"}`), 404, 0, "", nil)

	// A pool that requires MFA: the mfaToken of a user without a factor enrolls one, which ends the sign-in.
	s.CreateUser(t, "erin", "correct horse battery")
	if err := s.MFA.SetPoolPolicy(t.Context(), model.MFARequired); err != nil {
		t.Fatal(err)
	}
	want("erin", do("POST", "signin", "", signin("erin")), 403, 1636, "", &gate)
	want("erin lists", do("GET", "list-factors-to-enroll", gate.MFAToken, ""), 200, 0, "", nil)
	want("erin verify", do("POST", "mfa-totp-verify", gate.MFAToken, `{"totp":"123456"}`), 400, 0, "", nil)
	want("erin recovery", do("POST", "mfa-recovery-code-verify", gate.MFAToken, `{"recoveryCode":"`+otp.OTPData.RecoveryCode+`"}`), 400, 0, "", nil)
	want("erin otp request", do("POST", "send-enroll-factor-request", gate.MFAToken, `{"factorType":"OTP"}`), 200, 0, "", &otp)
	uri, _ = url.Parse(otp.OTPData.QRCodeURI)
	secretKey = uri.Query().Get("secret")
	want("erin enrolls", do("POST", "enroll-factor", gate.MFAToken, enroll("OTP", otp.EnrollmentToken, code())), 200, 0, "enroll-factor-signin", &set)
	if set.AccessToken == "" || !slices.Equal(idAMR(t, set.IDToken), mfa.AMR(mfa.FirstPassword, model.FactorTOTP)) {
		t.Fatalf("%+v", set)
	}
}
