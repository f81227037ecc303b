package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// managedUser is a user with every management field set.
func managedUser(id, username string, created time.Time) *model.User {
	u := user(id, username, username+"@example.com", "", created)
	u.Status = model.UserActivated
	u.ExternalID = "ext-" + id
	u.CustomData = map[string]any{"plan": "pro", "seats": float64(3), "tags": []any{"a", "<&>"}, "nested": map[string]any{"k": "v"}}
	u.SourceType = model.UserSourceAdmin
	u.LoginsCount = 2
	u.LastLogin = created.Add(time.Minute)
	u.LastIP = "192.0.2.7"
	return u
}

func entryIndex(t *testing.T, what string, err error, want int, cause error) {
	t.Helper()
	e, ok := errors.AsType[*store.EntryError](err)
	if !ok {
		t.Fatalf("%s: error = %v, want a *store.EntryError", what, err)
	}
	if e.Index != want || !errors.Is(err, cause) {
		t.Fatalf("%s: entry %d, error %v; want entry %d, %v", what, e.Index, err, want, cause)
	}
}

func userIDs(list []*model.User) []string {
	var ids []string
	for _, u := range list {
		ids = append(ids, u.ID)
	}
	return ids
}

func testUserManagement(t *testing.T, open Opener) {
	t.Run("UserFieldsRoundTrip", func(t *testing.T) {
		s := open(t)
		want := managedUser("u1", "ada", t0.In(east))
		must(t, "CreateUser", s.CreateUser(t.Context(), want))
		got, err := s.GetUser(t.Context(), "u1")
		must(t, "GetUser", err)
		diff(t, "user", want, got)
		checkUTC(t, "user", got.LastLogin)
		dup := managedUser("u2", "bob", t0)
		dup.ExternalID = want.ExternalID
		wantErr(t, "CreateUser with a taken external id", s.CreateUser(t.Context(), dup), model.ErrConflict)
	})

	t.Run("UpdateUser", func(t *testing.T) {
		s := open(t)
		must(t, "CreateUser", s.CreateUser(t.Context(), managedUser("u1", "ada", t0)))
		must(t, "CreateUser", s.CreateUser(t.Context(), managedUser("u2", "bob", t0)))
		changed := managedUser("u1", "ada2", t0)
		changed.Status = model.UserSuspended
		changed.Name, changed.ExternalID, changed.CustomData = "Ada", "", nil
		changed.CreatedAt = t0.Add(time.Hour)                                                 // ignored
		changed.LoginsCount, changed.LastLogin, changed.LastIP = 99, t0.Add(9*time.Hour), "x" // ignored
		changed.UpdatedAt = t0.Add(2 * time.Hour)
		must(t, "UpdateUser", s.UpdateUser(t.Context(), changed, false))
		got, err := s.GetUser(t.Context(), "u1")
		must(t, "GetUser", err)
		want := *changed
		orig := managedUser("u1", "ada", t0)
		want.CreatedAt, want.LoginsCount, want.LastLogin, want.LastIP = t0, orig.LoginsCount, orig.LastLogin, orig.LastIP
		diff(t, "updated user", &want, got)
		if _, err := s.FindUser(t.Context(), store.ByUsername, "ada"); !isNotFound(err) {
			t.Errorf("old username still found: %v", err)
		}

		taken := managedUser("u1", "bob", t0)
		taken.ExternalID = ""
		wantErr(t, "UpdateUser to a taken username", s.UpdateUser(t.Context(), taken, false), model.ErrConflict)
		taken.Username = "\u00a0BOB"
		wantErr(t, "UpdateUser to a variant of a taken username", s.UpdateUser(t.Context(), taken, false), model.ErrConflict)
		wantErr(t, "UpdateUser of an unknown user", s.UpdateUser(t.Context(), managedUser("u9", "zed", t0), false),
			model.ErrNotFound)
	})

	t.Run("UpdateUserSignOut", func(t *testing.T) {
		s := open(t)
		must(t, "CreateUser", s.CreateUser(t.Context(), managedUser("user-1", "ada", t0)))
		must(t, "CreateSession", s.CreateSession(t.Context(), session("sess-1")))
		other := session("sess-2")
		other.UserID = "user-2"
		must(t, "CreateSession", s.CreateSession(t.Context(), other))
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), authCode("code-1", "g1")))
		must(t, "CreateTokens", s.CreateTokens(t.Context(), token("h1", "j1", model.TokenAccess, "g1", "")))
		u := managedUser("user-1", "ada", t0)
		u.UpdatedAt = t0.Add(time.Minute)
		must(t, "UpdateUser", s.UpdateUser(t.Context(), u, true))
		_, err := s.GetSession(t.Context(), "sess-1", t0)
		wantErr(t, "GetSession of the user", err, model.ErrNotFound)
		_, err = s.GetSession(t.Context(), "sess-2", t0)
		must(t, "GetSession of another user", err)
		_, err = s.GetAuthCode(t.Context(), "code-1", t0)
		wantErr(t, "GetAuthCode", err, model.ErrNotFound)
		checkRevokedAt(t, s, u.UpdatedAt, "h1")
	})

	t.Run("CreateUsers", func(t *testing.T) {
		s := open(t)
		must(t, "CreateUser", s.CreateUser(t.Context(), managedUser("u0", "zed", t0)))
		batch := []*model.User{managedUser("u1", "ada", t0), managedUser("u2", "bob", t0), managedUser("u3", "ada", t0)}
		batch[2].ExternalID = "other"
		entryIndex(t, "CreateUsers with a duplicate inside", s.CreateUsers(t.Context(), batch), 2, model.ErrConflict)
		clash := []*model.User{managedUser("u1", "ada", t0), managedUser("u2", "zed", t0)}
		clash[1].ExternalID = "other"
		entryIndex(t, "CreateUsers clashing with a stored user", s.CreateUsers(t.Context(), clash), 1, model.ErrConflict)
		list, err := s.ListUsers(t.Context())
		must(t, "ListUsers", err)
		diff(t, "users after failed batches", []string{"u0"}, userIDs(list))
		must(t, "CreateUsers", s.CreateUsers(t.Context(), batch[:2]))
		got, err := s.GetUser(t.Context(), "u2")
		must(t, "GetUser", err)
		diff(t, "batch user", batch[1], got)
	})

	t.Run("DeleteUsers", func(t *testing.T) {
		s := open(t)
		for _, id := range []string{"user-1", "user-2", "user-3"} {
			must(t, "CreateUser", s.CreateUser(t.Context(), managedUser(id, id, t0)))
		}
		for i, id := range []string{"user-1", "user-2", "user-3"} {
			sess := session(hashN("sess", i))
			sess.UserID = id
			must(t, "CreateSession", s.CreateSession(t.Context(), sess))
			code := authCode(hashN("code", i), hashN("grant", i))
			code.UserID = id
			must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), code))
			tok := token(hashN("tok", i), hashN("jti", i), model.TokenAccess, hashN("grant", i), "")
			tok.UserID = id
			must(t, "CreateTokens", s.CreateTokens(t.Context(), tok))
			must(t, "SaveConsent", s.SaveConsent(t.Context(), &model.Consent{UserID: id, ClientID: "app-1",
				Scopes: []string{"openid"}, CreatedAt: t0, UpdatedAt: t0}))
			must(t, "RecordLogin", s.RecordLogin(t.Context(), &model.LoginRecord{UserID: id, Time: t0}))
			must(t, "CreateFactor", s.CreateFactor(t.Context(), factor(hashN("factor", i), id, model.FactorTOTP)))
			must(t, "ReplaceRecoveryCodes", s.ReplaceRecoveryCodes(t.Context(), id, []string{"r"}, t0))
		}
		entryIndex(t, "DeleteUsers with an unknown id", s.DeleteUsers(t.Context(), []string{"user-1", "nobody"}), 1,
			model.ErrNotFound)
		_, err := s.GetUser(t.Context(), "user-1")
		must(t, "GetUser after the failed batch", err)
		must(t, "DeleteUsers", s.DeleteUsers(t.Context(), []string{"user-1", "user-3"}))
		for i, id := range []string{"user-1", "user-2", "user-3"} {
			gone := id != "user-2"
			_, errUser := s.GetUser(t.Context(), id)
			_, errSess := s.GetSession(t.Context(), hashN("sess", i), t0)
			_, errCode := s.GetAuthCode(t.Context(), hashN("code", i), t0)
			_, errTok := s.GetToken(t.Context(), hashN("tok", i))
			_, errConsent := s.GetConsent(t.Context(), id, "app-1")
			_, errFactor := s.GetFactor(t.Context(), hashN("factor", i))
			if n, err := s.CountRecoveryCodes(t.Context(), id); err != nil || gone != (n == 0) {
				t.Errorf("recovery codes of %s: %d, %v; want deleted = %v", id, n, err, gone)
			}
			logins, _, errLogins := s.ListLogins(t.Context(), store.LoginQuery{UserID: id, Limit: 10})
			must(t, "ListLogins", errLogins)
			for what, err := range map[string]error{"user": errUser, "session": errSess, "code": errCode,
				"token": errTok, "consent": errConsent, "factor": errFactor} {
				if gone != isNotFound(err) {
					t.Errorf("%s of %s: error = %v, want deleted = %v", what, id, err, gone)
				}
			}
			if gone != (len(logins) == 0) {
				t.Errorf("login history of %s: %d entries, want deleted = %v", id, len(logins), gone)
			}
		}
	})

	t.Run("FindUser", func(t *testing.T) {
		s := open(t)
		u := managedUser("u1", "ada", t0)
		u.Email, u.Phone = "Ada@Example.COM", "+8613800000001"
		must(t, "CreateUser", s.CreateUser(t.Context(), u))
		must(t, "CreateUser", s.CreateUser(t.Context(), user("u2", "", "", "", t0)))
		tests := []struct {
			field store.UserField
			value string
			found bool
		}{
			{store.ByUsername, "ada", true},
			// Usernames compare by their RFC 8265 form: case, width and spaces around do not count.
			{store.ByUsername, "ADA", true},
			{store.ByUsername, "\u00a0Ａｄａ\u3000", true},
			{store.ByUsername, "a da", false},
			{store.ByEmail, "ada@example.com", true},
			{store.ByEmail, "ADA@EXAMPLE.COM", true},
			{store.ByEmail, " ada@example.com\u00a0", true},
			{store.ByPhone, "+8613800000001", true},
			{store.ByPhone, "\t+8613800000001 ", true},
			{store.ByPhone, "8613800000001", false},
			{store.ByExternalID, "ext-u1", true},
			{store.ByExternalID, "", false},
			{store.ByUsername, "", false},
			{store.ByEmail, "ada", false},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s=%s", tt.field, tt.value), func(t *testing.T) {
				got, err := s.FindUser(t.Context(), tt.field, tt.value)
				if !tt.found {
					wantErr(t, "FindUser", err, model.ErrNotFound)
					return
				}
				must(t, "FindUser", err)
				if got.ID != "u1" {
					t.Fatalf("FindUser = %s, want u1", got.ID)
				}
			})
		}
	})

	t.Run("QueryUsers", func(t *testing.T) {
		s := open(t)
		mk := func(id, username, email, phone, name, status string, created time.Time, lastLogin time.Time) {
			u := user(id, username, email, phone, created)
			u.Name, u.Status, u.LastLogin = name, status, lastLogin
			must(t, "CreateUser", s.CreateUser(t.Context(), u))
		}
		mk("a", "ada", "ada@example.com", "", "Ada Lovelace", model.UserActivated, t0, t0.Add(time.Hour))
		mk("b", "bob", "Bob@Example.org", "13900000001", "Bob", model.UserSuspended, t0.Add(time.Minute), time.Time{})
		mk("c", "", "carol@example.com", "13900000002", "Carol 张", model.UserActivated, t0.Add(2*time.Minute), t0)
		mk("d", "dan", "", "", "", model.UserDeactivated, t0.Add(3*time.Minute), time.Time{})
		tests := []struct {
			name  string
			q     store.UserQuery
			want  []string
			total int
		}{
			{"everyone", store.UserQuery{Limit: 10}, []string{"a", "b", "c", "d"}, 4},
			{"page", store.UserQuery{Limit: 2, Offset: 1}, []string{"b", "c"}, 4},
			{"keywords over email, any case", store.UserQuery{Keywords: "EXAMPLE.ORG", Limit: 10}, []string{"b"}, 1},
			{"keywords over phone", store.UserQuery{Keywords: "0002", Limit: 10}, []string{"c"}, 1},
			{"keywords over name", store.UserQuery{Keywords: "张", Limit: 10}, []string{"c"}, 1},
			{"keywords over username", store.UserQuery{Keywords: "a", Limit: 10}, []string{"a", "b", "c", "d"}, 4},
			{"status equal", store.UserQuery{Filters: []store.Filter{{Field: store.FieldStatus, Op: store.OpEqual,
				Strings: []string{model.UserActivated}}}, Limit: 10}, []string{"a", "c"}, 2},
			{"status not equal", store.UserQuery{Filters: []store.Filter{{Field: store.FieldStatus, Op: store.OpNotEqual,
				Strings: []string{model.UserActivated}}}, Limit: 10}, []string{"b", "d"}, 2},
			{"email equal, any case", store.UserQuery{Filters: []store.Filter{{Field: store.FieldEmail, Op: store.OpEqual,
				Strings: []string{"bob@example.ORG"}}}, Limit: 10}, []string{"b"}, 1},
			{"username not equal includes unset", store.UserQuery{Filters: []store.Filter{{Field: store.FieldUsername,
				Op: store.OpNotEqual, Strings: []string{"ada"}}}, Limit: 10}, []string{"b", "c", "d"}, 3},
			{"username contains", store.UserQuery{Filters: []store.Filter{{Field: store.FieldUsername, Op: store.OpContains,
				Strings: []string{"O"}}}, Limit: 10}, []string{"b"}, 1},
			{"username in", store.UserQuery{Filters: []store.Filter{{Field: store.FieldUsername, Op: store.OpIn,
				Strings: []string{"ada", "dan", "zed"}}}, Limit: 10}, []string{"a", "d"}, 2},
			{"username equal, any case, width or spacing", store.UserQuery{Filters: []store.Filter{{Field: store.FieldUsername,
				Op: store.OpEqual, Strings: []string{"\u00a0ＢＯＢ "}}}, Limit: 10}, []string{"b"}, 1},
			{"username in, variants", store.UserQuery{Filters: []store.Filter{{Field: store.FieldUsername, Op: store.OpIn,
				Strings: []string{" ADA", "Dan\t"}}}, Limit: 10}, []string{"a", "d"}, 2},
			{"username not equal, variant", store.UserQuery{Filters: []store.Filter{{Field: store.FieldUsername,
				Op: store.OpNotEqual, Strings: []string{"ADA"}}}, Limit: 10}, []string{"b", "c", "d"}, 3},
			{"phone equal, spaces around", store.UserQuery{Filters: []store.Filter{{Field: store.FieldPhone, Op: store.OpEqual,
				Strings: []string{" 13900000001\u00a0"}}}, Limit: 10}, []string{"b"}, 1},
			{"phone is null", store.UserQuery{Filters: []store.Filter{{Field: store.FieldPhone, Op: store.OpIsNull}},
				Limit: 10}, []string{"a", "d"}, 2},
			{"phone not null", store.UserQuery{Filters: []store.Filter{{Field: store.FieldPhone, Op: store.OpNotNull}},
				Limit: 10}, []string{"b", "c"}, 2},
			{"created after", store.UserQuery{Filters: []store.Filter{{Field: store.FieldCreatedAt, Op: store.OpGreater,
				Times: []time.Time{t0.Add(time.Minute)}}}, Limit: 10}, []string{"c", "d"}, 2},
			{"created before", store.UserQuery{Filters: []store.Filter{{Field: store.FieldCreatedAt, Op: store.OpLesser,
				Times: []time.Time{t0.Add(time.Minute)}}}, Limit: 10}, []string{"a"}, 1},
			{"created between, inclusive", store.UserQuery{Filters: []store.Filter{{Field: store.FieldCreatedAt,
				Op: store.OpBetween, Times: []time.Time{t0.Add(time.Minute), t0.Add(2 * time.Minute)}}}, Limit: 10},
				[]string{"b", "c"}, 2},
			{"never logged in", store.UserQuery{Filters: []store.Filter{{Field: store.FieldLastLogin, Op: store.OpIsNull}},
				Limit: 10}, []string{"b", "d"}, 2},
			{"two filters", store.UserQuery{Filters: []store.Filter{
				{Field: store.FieldStatus, Op: store.OpEqual, Strings: []string{model.UserActivated}},
				{Field: store.FieldLastLogin, Op: store.OpGreater, Times: []time.Time{t0}}}, Limit: 10}, []string{"a"}, 1},
			{"sort by last login, unset last", store.UserQuery{Sort: []store.Sort{{Field: store.FieldLastLogin}}, Limit: 10},
				[]string{"c", "a", "b", "d"}, 4},
			{"sort by username descending", store.UserQuery{Sort: []store.Sort{{Field: store.FieldCreatedAt, Desc: true}},
				Limit: 10}, []string{"d", "c", "b", "a"}, 4},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, total, err := s.QueryUsers(t.Context(), tt.q)
				must(t, "QueryUsers", err)
				diff(t, "users", tt.want, userIDs(list))
				if total != tt.total {
					t.Errorf("total = %d, want %d", total, tt.total)
				}
			})
		}
	})

	t.Run("SignOutUser", func(t *testing.T) {
		s := open(t)
		must(t, "CreateSession", s.CreateSession(t.Context(), session("sess-1")))
		tokens := []*model.Token{
			token("h1", "j1", model.TokenAccess, "g1", ""),
			token("h2", "j2", model.TokenRefresh, "g2", ""),
			token("h3", "j3", model.TokenAccess, "g3", ""),
			token("h4", "j4", model.TokenAccess, "g4", ""),
		}
		tokens[1].ClientID, tokens[2].ClientID = "app-2", "app-3"
		tokens[3].UserID = "user-2"
		must(t, "CreateTokens", s.CreateTokens(t.Context(), tokens...))
		c1, c3 := authCode("code-1", "g5"), authCode("code-3", "g6")
		c3.ClientID = "app-3"
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), c1))
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), c3))
		at := t0.Add(time.Minute)
		must(t, "SignOutUser", s.SignOutUser(t.Context(), "user-1", []string{"app-1", "app-2"}, at))
		_, err := s.GetSession(t.Context(), "sess-1", t0)
		wantErr(t, "GetSession", err, model.ErrNotFound)
		checkRevokedAt(t, s, at, "h1", "h2")
		checkRevokedAt(t, s, time.Time{}, "h3", "h4")
		_, err = s.GetAuthCode(t.Context(), "code-1", t0)
		wantErr(t, "GetAuthCode of app-1", err, model.ErrNotFound)
		_, err = s.GetAuthCode(t.Context(), "code-3", t0)
		must(t, "GetAuthCode of app-3", err)
		must(t, "SignOutUser of every client", s.SignOutUser(t.Context(), "user-1", nil, at.Add(time.Minute)))
		checkRevokedAt(t, s, at, "h1", "h2")
		checkRevokedAt(t, s, at.Add(time.Minute), "h3")
		checkRevokedAt(t, s, time.Time{}, "h4")
	})

	t.Run("SetPassword", func(t *testing.T) {
		s := open(t)
		must(t, "CreateUser", s.CreateUser(t.Context(), user("user-1", "ada", "", "", t0)))
		must(t, "CreateSession", s.CreateSession(t.Context(), session("sess-1")))
		tokens := []*model.Token{
			token("h1", "j1", model.TokenAccess, "g1", ""),
			token("h2", "j2", model.TokenRefresh, "g1", ""),
			token("h3", "j3", model.TokenAccess, "g3", ""),
			token("h4", "j4", model.TokenAccess, "g4", ""),
		}
		tokens[2].ClientID = "app-3"
		tokens[3].UserID = "user-2"
		must(t, "CreateTokens", s.CreateTokens(t.Context(), tokens...))
		must(t, "CreateAuthCode", s.CreateAuthCode(t.Context(), authCode("code-1", "g5")))
		at := t0.Add(time.Minute)
		must(t, "SetPassword", s.SetPassword(t.Context(), "user-1", "new-hash", at, "h1"))
		u, err := s.GetUser(t.Context(), "user-1")
		must(t, "GetUser", err)
		if u.PasswordHash != "new-hash" || !u.UpdatedAt.Equal(at) {
			t.Errorf("password hash %q updated %v, want new-hash, %v", u.PasswordHash, u.UpdatedAt, at)
		}
		_, err = s.GetSession(t.Context(), "sess-1", t0)
		wantErr(t, "GetSession", err, model.ErrNotFound)
		checkRevokedAt(t, s, at, "h2", "h3")
		checkRevokedAt(t, s, time.Time{}, "h1", "h4")
		_, err = s.GetAuthCode(t.Context(), "code-1", t0)
		wantErr(t, "GetAuthCode", err, model.ErrNotFound)
		must(t, "SetPassword keeping none", s.SetPassword(t.Context(), "user-1", "newer-hash", at.Add(time.Minute), ""))
		checkRevokedAt(t, s, at.Add(time.Minute), "h1")
		checkRevokedAt(t, s, time.Time{}, "h4")
		wantErr(t, "SetPassword of an unknown user", s.SetPassword(t.Context(), "nobody", "x", at, ""), model.ErrNotFound)
	})

	t.Run("LoginHistory", func(t *testing.T) {
		s := open(t)
		must(t, "CreateUser", s.CreateUser(t.Context(), user("u1", "ada", "", "", t0)))
		recs := []*model.LoginRecord{
			{UserID: "u1", AppID: "app-1", ClientIP: "192.0.2.1", UserAgent: "Mozilla/5.0 “quoted”", Time: t0.In(east)},
			{UserID: "u1", AppID: "", ClientIP: "2001:db8::1", UserAgent: "curl", Time: t0.Add(time.Minute), Method: "passkey"},
			{UserID: "u1", AppID: "app-2", ClientIP: "192.0.2.1", UserAgent: "curl", Time: t0.Add(2 * time.Minute)},
		}
		for _, r := range recs {
			must(t, "RecordLogin", s.RecordLogin(t.Context(), r))
		}
		wantErr(t, "RecordLogin of an unknown user",
			s.RecordLogin(t.Context(), &model.LoginRecord{UserID: "nobody", Time: t0}), model.ErrNotFound)
		u, err := s.GetUser(t.Context(), "u1")
		must(t, "GetUser", err)
		if u.LoginsCount != 3 || !u.LastLogin.Equal(recs[2].Time) || u.LastIP != "192.0.2.1" {
			t.Errorf("counters: %d logins, last %v from %q; want 3, %v, 192.0.2.1", u.LoginsCount, u.LastLogin, u.LastIP,
				recs[2].Time)
		}
		tests := []struct {
			name  string
			q     store.LoginQuery
			want  []*model.LoginRecord
			total int
		}{
			{"all, newest first", store.LoginQuery{UserID: "u1", Limit: 10}, []*model.LoginRecord{recs[2], recs[1], recs[0]}, 3},
			{"page", store.LoginQuery{UserID: "u1", Offset: 1, Limit: 1}, []*model.LoginRecord{recs[1]}, 3},
			{"app", store.LoginQuery{UserID: "u1", AppID: "app-1", Limit: 10}, []*model.LoginRecord{recs[0]}, 1},
			{"address", store.LoginQuery{UserID: "u1", ClientIP: "192.0.2.1", Limit: 10},
				[]*model.LoginRecord{recs[2], recs[0]}, 2},
			{"time range, inclusive", store.LoginQuery{UserID: "u1", Start: t0.Add(time.Minute), End: t0.Add(2 * time.Minute),
				Limit: 10}, []*model.LoginRecord{recs[2], recs[1]}, 2},
			{"other user", store.LoginQuery{UserID: "u2", Limit: 10}, nil, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := s.ListLogins(t.Context(), tt.q)
				must(t, "ListLogins", err)
				diff(t, "logins", tt.want, got)
				for _, r := range got {
					checkUTC(t, "login", r.Time)
				}
				if total != tt.total {
					t.Errorf("total = %d, want %d", total, tt.total)
				}
			})
		}
	})

	t.Run("ActiveClientsAndUsers", func(t *testing.T) {
		s := open(t)
		for _, id := range []string{"user-1", "user-2", "user-3"} {
			must(t, "CreateUser", s.CreateUser(t.Context(), managedUser(id, id, t0)))
		}
		tokens := []*model.Token{
			token("h1", "j1", model.TokenAccess, "g1", ""),  // user-1 app-1
			token("h2", "j2", model.TokenRefresh, "g2", ""), // user-1 app-2
			token("h3", "j3", model.TokenAccess, "g3", ""),  // user-1 app-3, revoked
			token("h4", "j4", model.TokenAccess, "g4", ""),  // user-2 app-1
			token("h5", "j5", model.TokenAccess, "g5", ""),  // user-3 app-1, expires early
		}
		tokens[1].ClientID, tokens[2].ClientID = "app-2", "app-3"
		tokens[2].RevokedAt = t0
		tokens[3].UserID, tokens[4].UserID = "user-2", "user-3"
		tokens[4].ExpiresAt = t0.Add(time.Minute)
		must(t, "CreateTokens", s.CreateTokens(t.Context(), tokens...))
		now := t0.Add(2 * time.Minute)
		clients, err := s.ActiveClients(t.Context(), "user-1", now)
		must(t, "ActiveClients", err)
		diff(t, "active clients", []string{"app-1", "app-2"}, clients)
		list, total, err := s.ActiveUsers(t.Context(), "app-1", now, 0, 10)
		must(t, "ActiveUsers", err)
		diff(t, "active users", []string{"user-1", "user-2"}, userIDs(list))
		if total != 2 {
			t.Errorf("total = %d, want 2", total)
		}
		list, total, err = s.ActiveUsers(t.Context(), "app-1", t0, 2, 10)
		must(t, "ActiveUsers page", err)
		diff(t, "active users page", []string{"user-3"}, userIDs(list))
		if total != 3 {
			t.Errorf("total = %d, want 3", total)
		}
	})
}
