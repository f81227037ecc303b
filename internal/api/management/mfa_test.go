package management_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// enroll gives the user a TOTP factor, a passkey and three recovery codes,
// straight in the store: enrollment is the authentication API's.
func enroll(t *testing.T, e *env, userID string) (totpID, passkeyID string) {
	t.Helper()
	now := e.clock.Now()
	for _, f := range []*model.Factor{
		{ID: "factor-totp", UserID: userID, Type: model.FactorTOTP, Sealed: []byte("SEALED-TOTP-SECRET"), Counter: 7,
			CreatedAt: now, LastUsedAt: now.Add(time.Minute)},
		{ID: "factor-key", UserID: userID, Type: model.FactorWebAuthn, Name: "YubiKey", CredentialID: "Y3JlZA",
			Sealed: []byte("SEALED-PASSKEY"), CreatedAt: now.Add(time.Second)},
	} {
		if err := e.st.CreateFactor(t.Context(), f); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.ReplaceRecoveryCodes(t.Context(), userID, []string{"h1", "h2", "h3"}, now); err != nil {
		t.Fatal(err)
	}
	return "factor-totp", "factor-key"
}

type userMFA struct {
	TOTPStatus     string `json:"totpStatus"`
	FaceMFAStatus  string `json:"faceMfaStatus"`
	SMSMFAStatus   string `json:"smsMfaStatus"`
	EmailMFAStatus string `json:"emailMfaStatus"`
	WebAuthnStatus string `json:"webauthnStatus"`
	Factors        []struct {
		FactorID   string            `json:"factorId"`
		FactorType string            `json:"factorType"`
		Profile    map[string]string `json:"profile"`
		CreatedAt  string            `json:"createdAt"`
		LastUsedAt *string           `json:"lastUsedAt"`
	} `json:"factors"`
	RecoveryCodesLeft int `json:"recoveryCodesLeft"`
}

// TestUserMFA lists a user's factors, resets them, and checks the audit
// trail names the management API.
func TestUserMFA(t *testing.T) {
	schemes(t, func(t *testing.T, e *env) {
		var u user
		ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "ada"), ps("email", "ada@example.com")), &u)

		var none userMFA
		ok(t, e.call(t, http.MethodGet, "get-user-mfa-info", ps("userId", u.UserID)), &none)
		if none.TOTPStatus != "disabled" || none.WebAuthnStatus != "disabled" || len(none.Factors) != 0 || none.Factors == nil {
			t.Errorf("before enrollment: %+v", none)
		}

		totp, key := enroll(t, e, u.UserID)
		info := e.call(t, http.MethodGet, "get-user-mfa-info", ps("userId", "ada"), ps("userIdType", "username"))
		var got userMFA
		ok(t, info, &got)
		if got.TOTPStatus != "enabled" || got.WebAuthnStatus != "enabled" || got.SMSMFAStatus != "disabled" ||
			got.FaceMFAStatus != "disabled" || got.RecoveryCodesLeft != 3 || len(got.Factors) != 2 ||
			got.Factors[0].FactorID != totp || got.Factors[1].FactorID != key || got.Factors[1].Profile["name"] != "YubiKey" || got.Factors[1].LastUsedAt != nil {
			t.Errorf("get-user-mfa-info = %s", info.Data)
		}
		if strings.Contains(string(info.raw), "SEALED") || strings.Contains(string(info.raw), "Y3JlZA") {
			t.Errorf("get-user-mfa-info shows a secret: %s", info.raw)
		}

		var reset struct {
			Success        bool `json:"success"`
			RemovedFactors int  `json:"removedFactors"`
		}
		ok(t, e.call(t, http.MethodPost, "reset-user-mfa", ps("userId", "ada@example.com"), p("options", `{"userIdType":"email"}`)), &reset)
		if !reset.Success || reset.RemovedFactors != 2 {
			t.Errorf("reset-user-mfa = %+v", reset)
		}
		var after userMFA
		ok(t, e.call(t, http.MethodGet, "get-user-mfa-info", ps("userId", u.UserID)), &after)
		if after.TOTPStatus != "disabled" || len(after.Factors) != 0 || after.RecoveryCodesLeft != 0 {
			t.Errorf("after reset: %+v", after)
		}
		events, err := e.st.ListAuditEvents(t.Context(), store.AuditQuery{Type: model.AuditMFAReset})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].UserID != u.UserID || events[0].IP != "127.0.0.1" ||
			events[0].Detail != "management API reset-user-mfa: 2 factors removed, sessions ended" {
			t.Errorf("audit events = %+v", events)
		}

		failed(t, e.call(t, http.MethodGet, "get-user-mfa-info", ps("userId", "nobody")), 404, 2004, "user not found")
		failed(t, e.call(t, http.MethodGet, "get-user-mfa-info"), 400, 0, "userId is required")
		failed(t, e.call(t, http.MethodPost, "reset-user-mfa", ps("userId", "nobody")), 404, 2004, "user not found")
		failed(t, e.call(t, http.MethodPost, "reset-user-mfa", p("userId", "3")), 400, 0, "userId must be a string")
	})
}

type mfaSettings struct {
	EnabledFactors []string `json:"enabledFactors"`
	MFAPolicy      string   `json:"mfaPolicy"`
}

// TestMFAPolicies maps the SDK's settings calls and GenAuth's mfaPolicy
// field onto the pool's and an application's policy.
func TestMFAPolicies(t *testing.T) {
	e := start(t, t0)
	settings := func(t *testing.T, env envelope, policy string) {
		t.Helper()
		var s mfaSettings
		ok(t, env, &s)
		want := "OTP,SMS,EMAIL"
		if policy == model.MFAOff {
			want = ""
		}
		if s.MFAPolicy != policy || strings.Join(s.EnabledFactors, ",") != want || s.EnabledFactors == nil {
			t.Errorf("got %s, want policy %s", env.Data, policy)
		}
	}
	t.Run("pool", func(t *testing.T) {
		settings(t, e.call(t, http.MethodGet, "get-global-mfa-settings"), model.MFAOff)
		settings(t, e.call(t, http.MethodPost, "update-global-mfa-settings", p("enabledFactors", `["OTP"]`)), model.MFAOptional)
		settings(t, e.call(t, http.MethodPost, "update-global-mfa-settings", ps("mfaPolicy", "Required")), model.MFARequired)
		// Enabling factors keeps a required policy.
		settings(t, e.call(t, http.MethodPost, "update-global-mfa-settings", p("enabledFactors", `["SMS","EMAIL"]`)), model.MFARequired)
		settings(t, e.call(t, http.MethodGet, "get-global-mfa-settings"), model.MFARequired)
		settings(t, e.call(t, http.MethodPost, "disable-global-mfa-settings", p("disableFactors", `["OTP"]`)), model.MFAOff)
		settings(t, e.call(t, http.MethodGet, "get-global-mfa-settings"), model.MFAOff)

		for _, tt := range []struct {
			name   string
			params []param
			want   string
		}{
			{"update-global-mfa-settings", nil, "enabledFactors must name at least one factor"},
			{"update-global-mfa-settings", []param{p("enabledFactors", `[]`)}, "enabledFactors must name at least one factor"},
			{"update-global-mfa-settings", []param{p("enabledFactors", `["FACE"]`)}, "FACE is not supported"},
			{"update-global-mfa-settings", []param{p("enabledFactors", `["PIGEON"]`)}, `unknown factor "PIGEON"`},
			{"update-global-mfa-settings", []param{p("enabledFactors", `{"OTP":true}`)}, "enabledFactors must be"},
			{"update-global-mfa-settings", []param{ps("mfaPolicy", "always")}, "mfaPolicy must be off, optional or required"},
			{"disable-global-mfa-settings", nil, "disableFactors must name at least one factor"},
			{"disable-global-mfa-settings", []param{p("disableFactors", `["otp","x"]`)}, `unknown factor "x"`},
		} {
			failed(t, e.call(t, http.MethodPost, tt.name, tt.params...), 400, 0, tt.want)
		}
		settings(t, e.call(t, http.MethodGet, "get-global-mfa-settings"), model.MFAOff)
		// Each change in the audit trail, newest first; the call that changed
		// nothing and the refused ones are not.
		policyEvents(t, e, "",
			"required -> off (management API disable-global-mfa-settings)",
			"optional -> required (management API update-global-mfa-settings)",
			"off -> optional (management API update-global-mfa-settings)")
	})

	t.Run("application", func(t *testing.T) {
		var app application
		ok(t, e.call(t, http.MethodPost, "create-application", ps("appName", "Shop"), p("redirectUris", `["http://localhost:3000/cb"]`),
			ps("mfaPolicy", "required")), &app)
		if app.MFAPolicy != model.MFARequired {
			t.Errorf("created with mfaPolicy %q", app.MFAPolicy)
		}
		policy := func(t *testing.T) string {
			t.Helper()
			var got application
			ok(t, e.call(t, http.MethodGet, "get-application", ps("appId", app.AppID)), &got)
			return got.MFAPolicy
		}
		ok(t, e.call(t, http.MethodPost, "update-application", ps("appId", app.AppID), ps("mfaPolicy", "optional")), nil)
		if got := policy(t); got != model.MFAOptional {
			t.Errorf("after update-application: %q", got)
		}
		settings(t, e.call(t, http.MethodPost, "update-application-mfa-settings", ps("appId", app.AppID),
			p("disabledFactors", `["OTP","SMS","EMAIL"]`)), model.MFAOff)
		settings(t, e.call(t, http.MethodPost, "update-application-mfa-settings", ps("appId", app.AppID),
			p("enabledFactors", `["OTP"]`)), model.MFAOptional)
		settings(t, e.call(t, http.MethodPost, "update-application-mfa-settings", ps("appId", app.AppID),
			ps("mfaPolicy", "required")), model.MFARequired)
		if got := policy(t); got != model.MFARequired {
			t.Errorf("after update-application-mfa-settings: %q", got)
		}

		for _, tt := range []struct {
			name   string
			params []param
			status int
			want   string
		}{
			{"update-application", []param{ps("appId", app.AppID), ps("mfaPolicy", "sometimes")}, 400, "mfaPolicy must be off, optional or required"},
			{"update-application", []param{ps("appId", app.AppID), p("mfaPolicy", `true`)}, 400, "mfaPolicy must be a string"},
			{"create-application", []param{ps("appName", "X"), p("redirectUris", `["http://localhost/cb"]`), ps("mfaPolicy", "on")}, 400, "mfaPolicy must be"},
			{"update-application-mfa-settings", []param{ps("appId", app.AppID)}, 400, "give enabledFactors or disabledFactors"},
			{"update-application-mfa-settings", []param{ps("appId", app.AppID), p("enabledFactors", `["OTP"]`), p("disabledFactors", `["SMS"]`)}, 400, "not both"},
			{"update-application-mfa-settings", []param{ps("appId", app.AppID), p("disabledFactors", `["FACE"]`)}, 400, "FACE is not supported"},
			{"update-application-mfa-settings", []param{ps("appId", "nope"), p("enabledFactors", `["OTP"]`)}, 404, "application not found"},
			{"update-application-mfa-settings", []param{p("enabledFactors", `["OTP"]`)}, 400, "appId is required"},
		} {
			env := e.call(t, http.MethodPost, tt.name, tt.params...)
			code := 0
			if tt.status == 404 {
				code = 2011
			}
			failed(t, env, tt.status, code, tt.want)
		}
		// Nothing refused was stored.
		if got := policy(t); got != model.MFARequired {
			t.Errorf("after refused calls: %q", got)
		}
		policyEvents(t, e, app.AppID,
			"optional -> required (management API update-application-mfa-settings)",
			"off -> optional (management API update-application-mfa-settings)",
			"optional -> off (management API update-application-mfa-settings)",
			"required -> optional (management API update-application)")
	})
}

// policyEvents checks the mfa.policy events of appID ("": the pool), newest first.
func policyEvents(t *testing.T, e *env, appID string, want ...string) {
	t.Helper()
	events, err := e.st.ListAuditEvents(t.Context(), store.AuditQuery{Type: model.AuditMFAPolicy})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range events {
		if ev.ClientID == appID {
			if ev.IP != "127.0.0.1" {
				t.Errorf("event %q from %q", ev.Detail, ev.IP)
			}
			got = append(got, ev.Detail)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("mfa.policy events of %q:\n got %q\nwant %q", appID, got, want)
	}
}

// TestGoldenMFA pins the MFA answers.
func TestGoldenMFA(t *testing.T) {
	e := start(t, t0)
	var u user
	ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "ada")), &u)
	enroll(t, e, u.UserID)
	ids := map[string]string{u.UserID: "USER-ID"}
	golden(t, "user_mfa_info", e.call(t, http.MethodGet, "get-user-mfa-info", ps("userId", u.UserID)), ids)
	golden(t, "reset_user_mfa", e.call(t, http.MethodPost, "reset-user-mfa", ps("userId", u.UserID)), ids)
	golden(t, "mfa_settings_off", e.call(t, http.MethodGet, "get-global-mfa-settings"), nil)
	golden(t, "mfa_settings_optional", e.call(t, http.MethodPost, "update-global-mfa-settings", p("enabledFactors", `["OTP"]`)), nil)
	golden(t, "mfa_settings_bad_factor", e.call(t, http.MethodPost, "update-global-mfa-settings", p("enabledFactors", `["FACE"]`)), nil)
}
