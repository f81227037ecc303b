package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/testkit/testserver"
)

// TestLockoutRetryAfter: every refusal by the sign-in throttle, on the
// hosted form and on /api/v3/signin, says when to try again: Retry-After
// in whole seconds, rounded up, until the lock ends.
func TestLockoutRetryAfter(t *testing.T) {
	srv := testserver.Start(t)
	srv.CreateUser(t, "ada", "the right password")
	app, secret := srv.CreateApp(t, apps.CreateParams{Name: "api", RedirectURIs: []string{"https://rp.example/cb"}})
	form := func(password string) (int, http.Header) {
		resp, err := testserver.Browser(t).PostForm(srv.URL+"/login", url.Values{"username": {"ada"}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	api := func(password string) (int, http.Header) {
		body := `{"connection":"PASSWORD","passwordPayload":{"username":"ada","password":"` + password + `"},` +
			`"client_id":"` + app.ID + `","client_secret":"` + secret + `"}`
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v3/signin", strings.NewReader(body))
		req.Header.Set("x-authing-app-id", app.ID)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var env struct{ StatusCode, APICode int }
		if err := json.Unmarshal(raw, &env); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if env.StatusCode == http.StatusForbidden && env.APICode == 2005 {
			return http.StatusForbidden, resp.Header // this failure locked: no refusal
		}
		return env.StatusCode, resp.Header
	}
	for _, tt := range []struct {
		name string
		try  func(password string) (int, http.Header)
		// the fifth failure's status: the form refuses with 429, the API
		// says 403/2005 (locked by this failure)
		locking int
	}{
		{"hosted form", form, http.StatusTooManyRequests},
		{"api signin", api, http.StatusForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 4 {
				if code, h := tt.try("wrong password"); code == http.StatusTooManyRequests || h.Get("Retry-After") != "" {
					t.Fatalf("failure %d: %d, Retry-After %q; want no refusal yet", i+1, code, h.Get("Retry-After"))
				}
			}
			code, h := tt.try("wrong password")
			if code != tt.locking || code == http.StatusTooManyRequests && h.Get("Retry-After") != "60" {
				t.Fatalf("fifth failure: %d, Retry-After %q; want %d (with 60 when 429)", code, h.Get("Retry-After"), tt.locking)
			}
			for _, w := range []struct {
				after time.Duration
				want  string
			}{{0, "60"}, {20*time.Second + time.Millisecond, "40"}, {39 * time.Second, "1"}} {
				srv.Clock.Advance(w.after)
				if code, h := tt.try("the right password"); code != http.StatusTooManyRequests || h.Get("Retry-After") != w.want {
					t.Errorf("%v later, while locked: %d, Retry-After %q; want 429 with %s", w.after, code, h.Get("Retry-After"), w.want)
				}
			}
			srv.Clock.Advance(time.Second)
			if code, _ := tt.try("the right password"); code == http.StatusTooManyRequests {
				t.Fatal("after the lock: still refused")
			}
		})
	}
}
