package console

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
)

// changedBy asserts that the last console.change event is what, about
// userID, made by the administrator adminID.
func (hs *harness) changedBy(adminID, userID, what string) {
	hs.t.Helper()
	ev := hs.events(model.AuditConsoleChange)
	if len(ev) == 0 {
		hs.t.Fatalf("no console.change event for %q", what)
	}
	last := ev[len(ev)-1]
	if last.UserID != userID || !strings.HasPrefix(last.Detail, what+" by "+adminID) {
		hs.t.Errorf("last console.change: user %q, detail %q; want user %q, %q by %s", last.UserID, last.Detail, userID, what, adminID)
	}
}

func (hs *harness) user(id string) *model.User {
	hs.t.Helper()
	u, err := hs.store.GetUser(context.Background(), id)
	if err != nil {
		hs.t.Fatal(err)
	}
	return u
}

func wantDone(t *testing.T, resp *http.Response, path, key string) {
	t.Helper()
	if want := path + "?done=" + key; resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Fatalf("%d %s; want 303 to %s\n%s", resp.StatusCode, resp.Header.Get("Location"), want, body(t, resp))
	}
}

func wantPage(t *testing.T, resp *http.Response, status int, has ...string) string {
	t.Helper()
	page := body(t, resp)
	if resp.StatusCode != status {
		t.Fatalf("%d; want %d\n%s", resp.StatusCode, status, page)
	}
	for _, s := range has {
		if !strings.Contains(page, s) {
			t.Errorf("the page lacks %q\n%s", s, page)
		}
	}
	return page
}

// Every page of a user answers, in both languages, and 404 for an unknown id.
func TestUserPagesRender(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	u := hs.createUser("alice", "alice@example.com")
	ext, err := hs.upstream.CreateExtIdp(t.Context(), "Corp", model.IdPOIDC, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := hs.store.CreateIdentity(t.Context(), &model.Identity{ID: "ident1", UserID: u.ID, ExtIdpID: ext.ID,
		Provider: model.IdPOIDC, Subject: "sub-1", CreatedAt: hs.now, UpdatedAt: hs.now}); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.factors.EnrollCode(t.Context(), u.ID, model.FactorEmail, "alice@example.com"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"", "/edit", "/password", "/send-reset", "/suspend", "/mfa-reset", "/signout",
		"/delete", "/admin-grant", "/admin-revoke", "/identities/" + ext.ID + "/unlink"} {
		for _, lang := range []string{"en", "zh-CN"} {
			wantPage(t, hs.get(userPath(u.ID)+p+"?lang="+lang, b), http.StatusOK, `<html lang="`+lang+`">`)
		}
		wantPage(t, hs.get(userPath("nobody")+p, b), http.StatusNotFound)
	}
	wantPage(t, hs.get(userPath(u.ID)+"/identities/nothere/unlink", b), http.StatusNotFound)
	wantPage(t, hs.get(usersPath+"/new", b), http.StatusOK, `name="password_mode"`)
	wantPage(t, hs.get(userPath(u.ID), b), http.StatusOK, "alice@example.com", "sub-1", "Code by email", "Corp <code>oidc</code>",
		`href="/console/users/`+u.ID+`/identities/`+ext.ID+`/unlink"`)
}

func TestUserCreate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		form     url.Values
		delivers bool
		status   int
		has      string // on the form shown again
		done     string
	}{
		{"with a password", url.Values{"username": {"Bob"}, "email": {"Bob@Example.com"}, "password_mode": {"set"},
			"password": {"a long enough passphrase"}, "email_verified": {"1"}}, false, 0, "", "user_created"},
		{"no password, a reset code", url.Values{"email": {"carol@example.com"}, "password_mode": {"none"},
			"send_reset": {"email"}}, true, 0, "", "user_created_sent"},
		{"bad email", url.Values{"email": {"not an address"}, "password_mode": {"none"}}, false,
			http.StatusBadRequest, `id="email" name="email" type="email" value="not an address" autocomplete="off" autocapitalize="none" spellcheck="false" aria-invalid="true" aria-describedby="email-error"`, ""},
		{"weak password", url.Values{"username": {"dave"}, "password_mode": {"set"}, "password": {"password"}}, false,
			http.StatusBadRequest, `aria-describedby="password-error"`, ""},
		{"no login", url.Values{"name": {"Nobody"}, "password_mode": {"none"}}, false,
			http.StatusBadRequest, `aria-describedby="username-error"`, ""},
		{"taken", url.Values{"username": {"alice"}, "password_mode": {"none"}}, false, http.StatusConflict,
			"Another user already has", ""},
		{"reset code without delivery", url.Values{"email": {"erin@example.com"}, "password_mode": {"none"},
			"send_reset": {"email"}}, false, http.StatusBadRequest, "A reset code cannot go there", ""},
		{"reset code without the address", url.Values{"username": {"frank"}, "password_mode": {"none"},
			"send_reset": {"email"}}, true, http.StatusBadRequest, "A reset code cannot go there", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := newHarness(t)
			root, b := hs.admin("root")
			hs.createUser("alice", "alice@example.com")
			if tc.delivers {
				hs.handler.Delivers = map[string]bool{model.MessageEmail: true}
			}
			before := len(hs.events(model.AuditConsoleChange))
			resp := hs.post(usersPath+"/new", tc.form, b)
			if tc.status != 0 {
				wantPage(t, resp, tc.status, tc.has)
				if n := len(hs.events(model.AuditConsoleChange)); n != before {
					t.Errorf("a refused creation was recorded")
				}
				return
			}
			loc := resp.Header.Get("Location")
			id := strings.TrimPrefix(loc[:strings.Index(loc, "?")], usersPath+"/")
			wantDone(t, resp, userPath(id), tc.done)
			u := hs.user(id)
			hs.changedBy(root.ID, u.ID, "create user")
			if u.SourceType != model.UserSourceAdmin || u.EmailVerified != (tc.form.Get("email_verified") != "") ||
				(u.PasswordHash != "") != (tc.form.Get("password") != "") {
				t.Errorf("created %+v", u)
			}
			if sent := hs.events(model.AuditResetCodeSend); (len(sent) == 1) != tc.delivers {
				t.Errorf("reset code events: %+v", sent)
			}
			wantPage(t, hs.get(resp.Header.Get("Location"), b), http.StatusOK, `<p class="notice" role="status">The user was created`)
		})
	}
}

func TestUserEdit(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	u := hs.createUser("alice", "alice@example.com")
	hs.createUser("bob", "bob@example.com")
	form := func(changes ...string) url.Values {
		f := url.Values{"username": {"alice"}, "email": {"alice@example.com"}, "gender": {"F"}, "name": {"Alice"}}
		for i := 0; i < len(changes); i += 2 {
			f.Set(changes[i], changes[i+1])
		}
		return f
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		has    string
	}{
		{"bad email", form("email", "nope"), http.StatusBadRequest, `aria-describedby="email-error"`},
		{"taken", form("email", "bob@example.com"), http.StatusConflict, "Another user already has"},
		{"custom data not an object", form("custom_data", "[1]"), http.StatusBadRequest, `aria-describedby="custom_data-hint custom_data-error"`},
		{"bad text", form("nickname", strings.Repeat("x", 2000)), http.StatusBadRequest, `aria-describedby="nickname-error"`},
		{"bad gender", form("gender", "X"), http.StatusBadRequest, "gender must be M, F or U"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantPage(t, hs.post(userPath(u.ID)+"/edit", tc.form, b), tc.status, tc.has)
		})
	}
	resp := hs.post(userPath(u.ID)+"/edit", form("email_verified", "1", "custom_data", `{"team": "blue"}`, "external_id", "E1"), b)
	wantDone(t, resp, userPath(u.ID), "user_updated")
	got := hs.user(u.ID)
	if got.Name != "Alice" || got.Gender != "F" || !got.EmailVerified || got.CustomData["team"] != "blue" || got.ExternalID != "E1" {
		t.Errorf("updated %+v", got)
	}
	hs.changedBy(root.ID, u.ID, "update user")
	if ev := hs.events(model.AuditProfileUpdate); len(ev) != 1 || ev[0].UserID != u.ID ||
		ev[0].Detail != "console update-user by "+root.ID+" emailVerified=true" {
		t.Errorf("profile events: %+v", ev)
	}
	page := wantPage(t, hs.get(userPath(u.ID)+"/edit", b), http.StatusOK, `value="E1"`, `<option value="F" selected>`)
	if !strings.Contains(page, `name="email_verified" value="1" checked`) {
		t.Errorf("the verified flag is not shown")
	}
	wantPage(t, hs.post(userPath("nobody")+"/edit", form(), b), http.StatusNotFound)
}

// Suspending signs the user out everywhere and stops sign-in; restoring
// lets them in again.
func TestUserSuspendRestore(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	u := hs.createUser("alice", "alice@example.com")
	hosted := &browser{cookies: []*http.Cookie{hs.hostedSession(u.ID, "pwd")}}
	wantDone(t, hs.post(userPath(u.ID)+"/suspend", nil, b), userPath(u.ID), "user_suspended")
	hs.changedBy(root.ID, u.ID, "suspend user")
	if hs.user(u.ID).Status != model.UserSuspended {
		t.Fatal("not suspended")
	}
	if _, err := hs.hosted.Current(postRequest("/", nil, hosted)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the user's session lives on: %v", err)
	}
	if _, err := hs.users.Authenticate(t.Context(), "alice", "correct horse battery staple"); !errors.Is(err, model.ErrSuspended) {
		t.Errorf("a suspended user signs in: %v", err)
	}
	wantPage(t, hs.get(userPath(u.ID), b), http.StatusOK, "Restore the user")
	wantDone(t, hs.post(userPath(u.ID)+"/restore", nil, b), userPath(u.ID), "user_restored")
	hs.changedBy(root.ID, u.ID, "restore user")
	if _, err := hs.users.Authenticate(t.Context(), "alice", "correct horse battery staple"); err != nil {
		t.Errorf("a restored user cannot sign in: %v", err)
	}
	wantPage(t, hs.post(userPath(root.ID)+"/suspend", nil, b), http.StatusConflict, "You cannot do this to the account you are signed in with")
	if hs.user(root.ID).Status != model.UserActivated {
		t.Error("the administrator suspended themselves")
	}
	wantPage(t, hs.post(userPath("nobody")+"/restore", nil, b), http.StatusNotFound)
}

func TestUserPassword(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	u := hs.createUser("alice", "alice@example.com")
	hosted := &browser{cookies: []*http.Cookie{hs.hostedSession(u.ID, "pwd")}}
	wantPage(t, hs.post(userPath(u.ID)+"/password", url.Values{"password": {"short"}}, b), http.StatusBadRequest,
		`aria-invalid="true" aria-describedby="password-error"`, "at least 8 characters")
	wantDone(t, hs.post(userPath(u.ID)+"/password", url.Values{"password": {"a brand new passphrase"}}, b),
		userPath(u.ID), "password_set")
	hs.changedBy(root.ID, u.ID, "set password")
	if _, err := hs.users.Authenticate(t.Context(), "alice", "a brand new passphrase"); err != nil {
		t.Errorf("the new password: %v", err)
	}
	if _, err := hs.hosted.Current(postRequest("/", nil, hosted)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the user's session lives on: %v", err)
	}
	if ev := hs.events(model.AuditPasswordChange); len(ev) != 1 || ev[0].UserID != u.ID {
		t.Errorf("password events: %+v", ev)
	}
}

func TestUserSendReset(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	u := hs.createUser("alice", "alice@example.com")
	form := url.Values{"channel": {"email"}, "lang": {"zh"}}
	wantPage(t, hs.get(userPath(u.ID)+"/send-reset", b), http.StatusOK, "This server sends neither email nor SMS")
	wantPage(t, hs.post(userPath(u.ID)+"/send-reset", form, b), http.StatusBadRequest)

	hs.handler.Delivers = map[string]bool{model.MessageEmail: true, model.MessageSMS: true}
	wantPage(t, hs.get(userPath(u.ID)+"/send-reset", b), http.StatusOK, `value="email" checked> Email: alice@example.com`)
	wantPage(t, hs.post(userPath(u.ID)+"/send-reset", url.Values{"channel": {"sms"}, "lang": {"en"}}, b),
		http.StatusUnprocessableEntity, "A reset code cannot go there")
	wantPage(t, hs.post(userPath(u.ID)+"/send-reset", url.Values{"channel": {"email"}, "lang": {"fr"}}, b),
		http.StatusBadRequest)
	wantDone(t, hs.post(userPath(u.ID)+"/send-reset", form, b), userPath(u.ID), "reset_sent")
	hs.changedBy(root.ID, u.ID, "send password reset code")
	if ev := hs.events(model.AuditResetCodeSend); len(ev) != 1 || ev[0].UserID != u.ID {
		t.Errorf("reset events: %+v", ev)
	}
	wantPage(t, hs.post(userPath(u.ID)+"/send-reset", form, b), http.StatusTooManyRequests, "less than a minute ago")

	nobody, err := hs.users.Create(t.Context(), users.CreateParams{Username: "bare", NoPassword: true})
	if err != nil {
		t.Fatal(err)
	}
	wantPage(t, hs.get(userPath(nobody.ID)+"/send-reset", b), http.StatusOK, "The user has no address this server can send to")
}

func TestUserMFAReset(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	u := hs.createUser("alice", "alice@example.com")
	if _, err := hs.factors.EnrollCode(t.Context(), u.ID, model.FactorEmail, u.Email); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.factors.NewRecoveryCodes(t.Context(), u.ID); err != nil {
		t.Fatal(err)
	}
	hosted := &browser{cookies: []*http.Cookie{hs.hostedSession(u.ID, "pwd", "otp", "mfa")}}
	wantPage(t, hs.get(userPath(u.ID), b), http.StatusOK, "Reset second factors…", "Unused recovery codes: 10.")
	wantDone(t, hs.post(userPath(u.ID)+"/mfa-reset", nil, b), userPath(u.ID), "mfa_reset")
	hs.changedBy(root.ID, u.ID, "reset second factors")
	st, err := hs.factors.Status(t.Context(), u.ID)
	if err != nil || len(st.Factors) != 0 || st.RecoveryCodes != 0 {
		t.Errorf("after the reset: %+v %v", st, err)
	}
	if _, err := hs.hosted.Current(postRequest("/", nil, hosted)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the user's session lives on: %v", err)
	}
	if ev := hs.events(model.AuditMFAReset); len(ev) != 1 || ev[0].UserID != u.ID {
		t.Errorf("reset events: %+v", ev)
	}
	wantPage(t, hs.get(userPath(u.ID), b), http.StatusOK, "The user has no second factor.")
}

func TestUserSignOutEverywhere(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	u := hs.createUser("alice", "alice@example.com")
	hosted := &browser{cookies: []*http.Cookie{hs.hostedSession(u.ID, "pwd")}}
	wantDone(t, hs.post(userPath(u.ID)+"/signout", nil, b), userPath(u.ID), "user_signed_out")
	hs.changedBy(root.ID, u.ID, "sign user out everywhere")
	if _, err := hs.hosted.Current(postRequest("/", nil, hosted)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the user's session lives on: %v", err)
	}
	if ev := hs.events(model.AuditLogoutAll); len(ev) != 1 || ev[0].UserID != u.ID {
		t.Errorf("logout events: %+v", ev)
	}
	wantPage(t, hs.post(userPath("nobody")+"/signout", nil, b), http.StatusNotFound)
}

// Unlinking keeps the user's last way in.
func TestUserUnlink(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	ext, err := hs.upstream.CreateExtIdp(t.Context(), "Corp", model.IdPOIDC, "")
	if err != nil {
		t.Fatal(err)
	}
	link := func(u *model.User) {
		if err := hs.store.CreateIdentity(t.Context(), &model.Identity{ID: "i-" + u.ID, UserID: u.ID, ExtIdpID: ext.ID,
			Provider: model.IdPOIDC, Subject: "s-" + u.ID, CreatedAt: hs.now, UpdatedAt: hs.now}); err != nil {
			t.Fatal(err)
		}
	}
	u := hs.createUser("alice", "alice@example.com")
	link(u)
	only, err := hs.users.Create(t.Context(), users.CreateParams{NoLogin: true, NoPassword: true, SourceType: model.UserSourceExtIdp})
	if err != nil {
		t.Fatal(err)
	}
	link(only)
	path := func(u *model.User) string { return userPath(u.ID) + "/identities/" + ext.ID + "/unlink" }
	wantPage(t, hs.get(path(u), b), http.StatusOK, "through the identity provider Corp.")
	wantPage(t, hs.post(path(only), nil, b), http.StatusUnprocessableEntity, "last way to sign in")
	wantDone(t, hs.post(path(u), nil, b), userPath(u.ID), "identity_unlinked")
	hs.changedBy(root.ID, u.ID, "unlink identity")
	if ev := hs.events(model.AuditIdPUnlink); len(ev) != 1 || ev[0].UserID != u.ID {
		t.Errorf("unlink events: %+v", ev)
	}
	wantPage(t, hs.post(path(u), nil, b), http.StatusNotFound)
}

func TestUserDelete(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	u := hs.createUser("alice", "alice@example.com")
	wantPage(t, hs.get(userPath(u.ID)+"/delete", b), http.StatusOK, "This deletes alice")
	wantDone(t, hs.post(userPath(u.ID)+"/delete", nil, b), usersPath, "user_deleted")
	hs.changedBy(root.ID, u.ID, "delete user")
	if _, err := hs.store.GetUser(t.Context(), u.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the user lives on: %v", err)
	}
	wantPage(t, hs.post(userPath(u.ID)+"/delete", nil, b), http.StatusNotFound)
	wantPage(t, hs.post(userPath(root.ID)+"/delete", nil, b), http.StatusConflict)
	hs.user(root.ID)
}

// Every change needs a console session of an administrator and the form
// token; nothing changes without them.
func TestUserChangesRefused(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	other, _ := hs.admin("second")
	u := hs.createUser("alice", "alice@example.com")
	ext := "corp"
	for _, p := range []string{"/new", "/" + u.ID + "/edit", "/" + u.ID + "/restore", "/" + u.ID + "/password",
		"/" + u.ID + "/send-reset", "/" + u.ID + "/suspend", "/" + u.ID + "/mfa-reset", "/" + u.ID + "/signout",
		"/" + u.ID + "/identities/" + ext + "/unlink", "/" + u.ID + "/delete", "/" + u.ID + "/admin-grant",
		"/" + u.ID + "/admin-revoke"} {
		t.Run(p, func(t *testing.T) {
			form := url.Values{"username": {"x"}, "password": {"a long enough passphrase"}}
			form.Set("csrf", "")
			if resp := hs.post(usersPath+p, form, b); resp.StatusCode != http.StatusForbidden {
				t.Errorf("no token: %d", resp.StatusCode)
			}
			// The role revoked since sign-in: the session ends and the post is refused.
			hs.roles.admins[other.ID] = true
			ob := hs.signIn(other.ID)
			delete(hs.roles.admins, other.ID)
			form.Set("csrf", ob.csrf)
			if resp := hs.post(usersPath+p, form, ob); resp.StatusCode != http.StatusForbidden {
				t.Errorf("not an administrator: %d", resp.StatusCode)
			}
			form.Del("csrf")
			if resp := hs.post(usersPath+p, form, nil); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("no session: %d", resp.StatusCode)
			}
		})
	}
	if got := hs.user(u.ID); got.Status != model.UserActivated || got.Username != "alice" || hs.roles.admins[u.ID] {
		t.Errorf("changed: %+v", got)
	}
	if ev := hs.events(model.AuditConsoleChange); len(ev) != 0 {
		t.Errorf("changes recorded: %+v", ev)
	}
}

func TestUserAdminRole(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	u := hs.createUser("alice", "alice@example.com")
	wantPage(t, hs.get(userPath(u.ID), b), http.StatusOK, "This user is not an administrator.", "Make administrator…")
	wantDone(t, hs.post(userPath(u.ID)+"/admin-grant", nil, b), userPath(u.ID), "admin_granted")
	hs.changedBy(root.ID, u.ID, "grant administrator role")
	if !hs.roles.admins[u.ID] {
		t.Fatal("not granted")
	}
	wantPage(t, hs.get(userPath(u.ID), b), http.StatusOK, "Remove the administrator role…")
	wantDone(t, hs.post(userPath(u.ID)+"/admin-revoke", nil, b), userPath(u.ID), "admin_revoked")
	hs.changedBy(root.ID, u.ID, "revoke administrator role")
	if hs.roles.admins[u.ID] {
		t.Fatal("not revoked")
	}
	wantPage(t, hs.post(userPath(u.ID)+"/admin-revoke", nil, b), http.StatusNotFound)
	wantPage(t, hs.post(userPath(root.ID)+"/admin-revoke", nil, b), http.StatusConflict, "You cannot do this")
	wantPage(t, hs.post(userPath("nobody")+"/admin-grant", nil, b), http.StatusNotFound)
	if !hs.roles.admins[root.ID] {
		t.Error("the administrator lost the role")
	}
}

// The list pages through every user newest first, 50 at a time, and a
// search finds users by id or by the start of a username, email or phone.
func TestUserList(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	// 110 users older than the administrator, without passwords (quick):
	// user<i>, every other one with an email, every third with a phone.
	seeded := make([]*model.User, 110)
	for i := range seeded {
		u := &model.User{ID: fmt.Sprintf("%024x", i+1), Username: fmt.Sprintf("user%03d", i), Status: model.UserActivated,
			SourceType: model.UserSourceAdmin, CreatedAt: testNow.Add(time.Duration(i-1000) * time.Second)}
		if i%2 == 0 {
			u.Email = u.Username + "@example.org"
		}
		if i%3 == 0 {
			u.Phone = fmt.Sprintf("+861380000%04d", i)
		}
		u.UpdatedAt = u.CreatedAt
		seeded[i] = u
	}
	if err := hs.store.CreateUsers(t.Context(), seeded); err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`<tr><td class="user-cell"><a href="/console/users/([0-9a-f]+)">`)
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	var seen []string
	target := usersPath
	for pages := 0; target != ""; pages++ {
		page := wantPage(t, hs.get(target, b), http.StatusOK)
		ids := rows.FindAllStringSubmatch(page, -1)
		if pages < 2 && len(ids) != usersPerPage || pages == 2 && len(ids) != 11 || pages > 2 {
			t.Fatalf("page %d lists %d users", pages, len(ids))
		}
		if pages > 0 && !strings.Contains(page, `<a href="/console/users">First page</a>`) {
			t.Errorf("page %d has no link to the first", pages)
		}
		for _, m := range ids {
			seen = append(seen, m[1])
		}
		target = ""
		if m := next.FindStringSubmatch(page); m != nil {
			target = html.UnescapeString(m[1])
		}
	}
	if seen[0] != hs.events(model.AuditConsoleSignIn)[0].UserID || seen[1] != seeded[109].ID || seen[110] != seeded[0].ID {
		t.Errorf("not newest first: %v", seen)
	}

	mid := seeded[54]
	for _, tc := range []struct {
		search string
		n      int
		has    string
	}{
		{mid.ID, 1, mid.Username},
		{"USER05", 10, "user054"},
		{mid.Email, 1, mid.Email},
		{mid.Phone, 1, mid.Phone[1:]},
		{"user", 110, ""},
		{"+86138", 37, "8613800000108"},
		{"nobody-at-all", 0, "No user matches “nobody-at-all”."},
	} {
		page := wantPage(t, hs.get(usersPath+"?"+url.Values{"q": {tc.search}}.Encode(), b), http.StatusOK, tc.has)
		if n := len(rows.FindAllStringSubmatch(page, -1)); n != min(tc.n, usersPerPage) {
			t.Errorf("%q: %d users listed, want %d", tc.search, n, min(tc.n, usersPerPage))
		}
		if more := next.FindStringSubmatch(page); (more != nil) != (tc.n > usersPerPage) ||
			more != nil && !strings.Contains(more[1], "&amp;q="+tc.search) {
			t.Errorf("%q: next page link %v", tc.search, more)
		}
	}
	wantPage(t, hs.get(usersPath+"?after=not-a-cursor", b), http.StatusBadRequest, "This page link no longer works")
}
