package oauth_test

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
)

// TestAuthorizeAsksSecondFactor: a one-factor session gets a code only
// when neither acr_values nor the MFA policy (the application's or the
// pool's) asks for two factors; otherwise it goes to the step-up page with
// the request to come back to, or with prompt=none gets
// interaction_required.
func TestAuthorizeAsksSecondFactor(t *testing.T) {
	e := start(t)
	byPolicy := map[string]client{}
	for _, p := range []string{model.MFAOff, model.MFAOptional, model.MFARequired} {
		byPolicy[p] = e.newApp(t, apps.CreateParams{MFAPolicy: p})
	}
	// One factor: alice has none.
	e.code(t, e.config(byPolicy[model.MFAOff], model.ProtocolOIDC, oauth2.AuthStyleInParams))
	const loa1, loa2 = "urn:genauth:loa:1", "urn:genauth:loa:2"
	for _, prefix := range prefixes {
		for _, tc := range []struct {
			name       string
			policy     string
			acr        string
			promptNone bool
			want       string // "code", "step-up" or an error code
		}{
			{"off", model.MFAOff, "", false, "code"},
			{"optional", model.MFAOptional, "", false, "code"},
			{"required", model.MFARequired, "", false, "step-up"},
			{"required, prompt=none", model.MFARequired, "", true, "interaction_required"},
			{"acr loa:2", model.MFAOff, loa2, false, "step-up"},
			{"acr phr", model.MFAOff, "phr", false, "step-up"},
			{"acr loa:2, prompt=none", model.MFAOff, loa2, true, "interaction_required"},
			{"acr loa:1", model.MFAOff, loa1, false, "code"},
			{"acr loa:2 preferred, loa:1 accepted", model.MFAOff, loa2 + " " + loa1, false, "code"},
			{"acr unknown", model.MFAOff, "urn:example:gold", false, "code"},
			{"acr loa:1 at a required application", model.MFARequired, loa1, false, "step-up"},
		} {
			t.Run(prefix+"/"+tc.name, func(t *testing.T) {
				v := url.Values{"client_id": {byPolicy[tc.policy].id}, "redirect_uri": {callback}, "response_type": {"code"},
					"scope": {"openid"}, "state": {"st"}}
				if tc.acr != "" {
					v.Set("acr_values", tc.acr)
				}
				if tc.promptNone {
					v.Set("prompt", "none")
				}
				target := e.url(prefix, "/auth?"+v.Encode())
				resp, err := e.browser.Get(target)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				loc, err := resp.Location()
				if err != nil {
					t.Fatalf("status %d, no redirect", resp.StatusCode)
				}
				q := loc.Query()
				switch tc.want {
				case "code":
					if q.Get("code") == "" {
						t.Errorf("redirected to %s, want a code", loc)
					}
				case "step-up":
					back, _ := url.Parse(q.Get("return_to"))
					if loc.Path != "/login/mfa/step-up" || back == nil || back.Path != "/"+prefix+"/auth" ||
						back.Query().Get("client_id") != v.Get("client_id") || back.Query().Get("acr_values") != tc.acr {
						t.Errorf("redirected to %s, want the step-up page returning to this request", loc)
					}
				default:
					if q.Get("error") != tc.want || q.Get("state") != "st" || q.Has("code") {
						t.Errorf("redirected to %s, want error %s", loc, tc.want)
					}
				}
				if resp.StatusCode != http.StatusFound {
					t.Errorf("status %d, want 302", resp.StatusCode)
				}
			})
		}
	}
	// The pool's policy counts as much as the application's.
	if err := e.srv.MFA.SetPoolPolicy(t.Context(), model.MFARequired); err != nil {
		t.Fatal(err)
	}
	l := e.srv.Follow(t, e.browser, e.config(byPolicy[model.MFAOff], model.ProtocolOIDC, oauth2.AuthStyleInParams).AuthCodeURL("st"), "", "")
	if l.Status != http.StatusOK || l.Location != nil {
		t.Errorf("required pool policy: status %d, location %v; want the second step's page", l.Status, l.Location)
	}
}
