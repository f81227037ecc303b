package management_test

import (
	"net/http"
	"testing"
)

// TestRefusedChangesStoreNothing: a management call that is refused changes
// nothing, whichever of its fields is wrong and wherever that field comes in
// the body. update-application used to store the fields read before the bad
// one (issue 13, item 11): {"appName":"After","oidcConfig":
// {"access_token_expire":-1}} answered 400 and renamed the application.
func TestRefusedChangesStoreNothing(t *testing.T) {
	schemes(t, func(t *testing.T, e *env) {
		var app application
		ok(t, e.call(t, http.MethodPost, "create-application", ps("appName", "Before"),
			p("redirectUris", `["http://localhost:3000/callback"]`)), &app)
		appState := func() string {
			env := e.call(t, http.MethodGet, "get-application", ps("appId", app.AppID))
			ok(t, env, nil)
			return string(env.Data)
		}
		var ada, bob user
		ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "ada"), ps("nickname", "Before"),
			ps("email", "ada@example.com"), ps("password", "correct-horse")), &ada)
		ok(t, e.call(t, http.MethodPost, "create-user", ps("username", "bob"), ps("password", "correct-horse")), &bob)
		userState := func(id string) string {
			env := e.call(t, http.MethodGet, "get-user", ps("userId", id))
			ok(t, env, nil)
			return string(env.Data)
		}
		userExists := func(name string) bool {
			var d struct{ Exists bool }
			ok(t, e.call(t, http.MethodPost, "is-user-exists", ps("username", name)), &d)
			return d.Exists
		}
		appBefore, adaBefore, bobBefore := appState(), userState(ada.UserID), userState(bob.UserID)

		refused := []struct {
			name, call string
			params     []param
			status     int
		}{
			{"update-application: a negative lifetime after the name", "update-application", []param{ps("appId", app.AppID),
				ps("appName", "After"), p("oidcConfig", `{"access_token_expire":-1}`)}, 400},
			{"update-application: a lifetime of the wrong type", "update-application", []param{ps("appId", app.AppID),
				ps("appName", "After"), p("oidcConfig", `{"refresh_token_expire":"soon"}`)}, 400},
			{"update-application: callbacks of the wrong type", "update-application", []param{ps("appId", app.AppID),
				ps("appName", "After"), p("redirectUris", `{"a":1}`)}, 400},
			{"update-application: oidcConfig not an object", "update-application", []param{ps("appId", app.AppID),
				ps("appName", "After"), p("ssoEnabled", "true"), p("oidcConfig", `"x"`)}, 400},
			{"update-application: an unknown grant", "update-application", []param{ps("appId", app.AppID),
				ps("appName", "After"), p("oidcConfig", `{"grant_types":["password"]}`)}, 400},
			{"update-user: a bad gender after the nickname", "update-user", []param{ps("userId", ada.UserID),
				ps("nickname", "After"), ps("gender", "X")}, 400},
			{"update-user: a short password", "update-user", []param{ps("userId", ada.UserID),
				ps("nickname", "After"), ps("password", "short")}, 400},
			{"update-user: a taken username", "update-user", []param{ps("userId", ada.UserID),
				ps("nickname", "After"), ps("username", "bob")}, 409},
			{"update-user: a field of the wrong type", "update-user", []param{ps("userId", ada.UserID),
				ps("nickname", "After"), p("emailVerified", `"maybe"`)}, 400},
			{"create-users-batch: a bad second entry", "create-users-batch", []param{
				p("list", `[{"username":"carol","password":"correct-horse"},{"username":"dave","password":"short"}]`)}, 400},
			{"delete-users-batch: an unknown second id", "delete-users-batch", []param{
				p("userIds", `["`+bob.UserID+`","nobody"]`)}, 404},
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				env := e.call(t, http.MethodPost, tt.call, tt.params...)
				if env.StatusCode != tt.status {
					t.Fatalf("statusCode %d, want %d: %s", env.StatusCode, tt.status, env.raw)
				}
				if got := appState(); got != appBefore {
					t.Errorf("the application changed:\n%s\nwas\n%s", got, appBefore)
				}
				if got := userState(ada.UserID); got != adaBefore {
					t.Errorf("ada changed:\n%s\nwas\n%s", got, adaBefore)
				}
				if got := userState(bob.UserID); got != bobBefore {
					t.Errorf("bob changed:\n%s\nwas\n%s", got, bobBefore)
				}
				if userExists("carol") {
					t.Error("carol was created")
				}
			})
		}
	})
}
