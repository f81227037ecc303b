package storetest

import (
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// user returns a user with only the given login fields set.
func user(id, username, email, phone string, created time.Time) *model.User {
	return &model.User{
		ID:           id,
		Username:     username,
		Email:        email,
		Phone:        phone,
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA",
		Gender:       model.GenderUnknown,
		CreatedAt:    created,
		UpdatedAt:    created,
	}
}

func fullUser() *model.User {
	return &model.User{
		ID:                "user-full",
		Username:          "ada.lovelace",
		Email:             "ada@example.com",
		EmailVerified:     true,
		Phone:             "+8613800000001",
		PhoneVerified:     true,
		PasswordHash:      "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA",
		Name:              "Ada Lovelace",
		GivenName:         "Ada",
		FamilyName:        "Lovelace",
		MiddleName:        "King",
		Nickname:          "ada",
		PreferredUsername: "countess",
		Profile:           "https://example.com/ada",
		Picture:           "https://example.com/ada.png",
		Website:           "https://ada.example",
		Gender:            model.GenderFemale,
		Birthdate:         "1815-12-10",
		Zoneinfo:          "Europe/London",
		Locale:            "en-GB",
		Address: model.Address{
			Formatted:     "12 St James's Square, London",
			StreetAddress: "12 St James's Square",
			Locality:      "London",
			Region:        "Greater London",
			PostalCode:    "SW1Y 4LB",
			Country:       "GB",
		},
		SourceType: model.UserSourceRegister,
		SourceID:   "app-1",
		CreatedAt:  t0.In(east),
		UpdatedAt:  t0.Add(time.Hour).In(east),
	}
}

func testUsers(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) {
		tests := []struct {
			name string
			user *model.User
		}{
			{"every field", fullUser()},
			{"email only, booleans false, no address", user("user-min", "", "min@example.com", "", t0)},
			{"no login field at all", user("user-none", "", "", "", t0)},
		}
		s := open(t)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				must(t, "CreateUser", s.CreateUser(t.Context(), tt.user))
				got, err := s.GetUser(t.Context(), tt.user.ID)
				must(t, "GetUser", err)
				diff(t, "user", tt.user, got)
				checkUTC(t, "user", got.CreatedAt, got.UpdatedAt)
			})
		}
	})

	t.Run("Conflict", func(t *testing.T) {
		tests := []struct {
			name string
			user *model.User
		}{
			{"taken id", user("user-1", "someone-else", "", "", t0)},
			{"taken username", user("user-2", "ada", "", "", t0)},
			{"taken username in another case", user("user-2", "ADA", "", "", t0)},
			{"taken username in fullwidth", user("user-2", "ａｄａ", "", "", t0)},
			{"taken username with spaces around", user("user-2", "\u00a0Ada ", "", "", t0)},
			{"taken email", user("user-2", "", "ada@example.com", "", t0)},
			{"taken email in another case", user("user-2", "", "ADA@Example.COM", "", t0)},
			{"taken phone", user("user-2", "", "", "+8613800000001", t0)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := open(t)
				first := user("user-1", "ada", "ada@example.com", "+8613800000001", t0)
				must(t, "CreateUser", s.CreateUser(t.Context(), first))
				wantErr(t, "CreateUser", s.CreateUser(t.Context(), tt.user), model.ErrConflict)
				got, err := s.GetUser(t.Context(), "user-1")
				must(t, "GetUser", err)
				diff(t, "first user after the conflict", first, got)
				if tt.user.ID != first.ID {
					_, err := s.GetUser(t.Context(), tt.user.ID)
					wantErr(t, "GetUser of the rejected user", err, model.ErrNotFound)
				}
			})
		}
	})

	t.Run("EmptyLoginFieldsMayRepeat", func(t *testing.T) {
		s := open(t)
		for _, u := range []*model.User{
			user("u1", "ada", "", "", t0),
			user("u2", "bob", "", "", t0),
			user("u3", "", "carol@example.com", "", t0),
			user("u4", "", "dan@example.com", "", t0),
			user("u5", "", "", "13900000005", t0),
			user("u6", "", "", "13900000006", t0),
			user("u7", "", "", "", t0),
			user("u8", "", "", "", t0),
		} {
			must(t, "CreateUser "+u.ID, s.CreateUser(t.Context(), u))
		}
	})

	t.Run("FindUserByLogin", func(t *testing.T) {
		s := open(t)
		for _, u := range []*model.User{
			user("ada", "ada", "ada@example.com", "+8613800000001", t0),
			user("bob", "bob", "bob@example.com", "", t0),
			user("carol", "", "", "13900000002", t0),
			// Stores must not rely on the service lower-casing emails.
			user("dora", "", "Dora@Example.ORG", "", t0),
			user("nobody", "", "", "", t0),
		} {
			must(t, "CreateUser", s.CreateUser(t.Context(), u))
		}
		tests := []struct {
			login string
			want  string // user id; empty for model.ErrNotFound
		}{
			{"ada", "ada"},
			{" ada", "ada"},
			{"ada ", "ada"},
			{"\u00a0ada", "ada"},
			{"ADA", "ada"},
			{"ａｄａ", "ada"},
			{"\u3000Ａda\t", "ada"},
			{"\u200bada", ""},
			{"a da", ""},
			{"ada@example.com", "ada"},
			{" Ada@Example.com\u00a0", "ada"},
			{"\t+8613800000001 ", "ada"},
			{"ADA@EXAMPLE.COM", "ada"},
			{"+8613800000001", "ada"},
			{"Bob@Example.com", "bob"},
			{"13900000002", "carol"},
			{"dora@example.org", "dora"},
			{"Dora@Example.ORG", "dora"},
			{"", ""},
			{"eve", ""},
			{"eve@example.com", ""},
			{"8613800000001", ""},
			{"ada@example", ""},
		}
		for _, tt := range tests {
			t.Run(tt.login, func(t *testing.T) {
				got, err := s.FindUserByLogin(t.Context(), tt.login)
				if tt.want == "" {
					wantErr(t, "FindUserByLogin", err, model.ErrNotFound)
					return
				}
				must(t, "FindUserByLogin", err)
				if got.ID != tt.want {
					t.Fatalf("FindUserByLogin(%q) = user %q, want %q", tt.login, got.ID, tt.want)
				}
			})
		}
		got, err := s.FindUserByLogin(t.Context(), "Dora@example.org")
		must(t, "FindUserByLogin", err)
		if got.Email != "Dora@Example.ORG" {
			t.Errorf("email = %q, want it as stored, %q", got.Email, "Dora@Example.ORG")
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		must(t, "CreateUser", s.CreateUser(t.Context(), user("u1", "ada", "", "", t0)))
		_, err := s.GetUser(t.Context(), "u2")
		wantErr(t, "GetUser of an unknown id", err, model.ErrNotFound)
	})

	t.Run("ListOldestFirst", func(t *testing.T) {
		s := open(t)
		users, err := s.ListUsers(t.Context())
		must(t, "ListUsers of an empty store", err)
		if len(users) != 0 {
			t.Fatalf("ListUsers of an empty store returned %d users", len(users))
		}
		want := fullUser()
		want.ID, want.CreatedAt = "b", t0.Add(time.Hour)
		for _, u := range []*model.User{
			user("c", "carol", "", "", t0.Add(2*time.Hour)),
			user("a", "ada", "", "", t0),
			want,
		} {
			must(t, "CreateUser", s.CreateUser(t.Context(), u))
		}
		users, err = s.ListUsers(t.Context())
		must(t, "ListUsers", err)
		if len(users) != 3 {
			t.Fatalf("ListUsers returned %d users, want 3", len(users))
		}
		var ids []string
		for _, u := range users {
			ids = append(ids, u.ID)
		}
		diff(t, "user order", []string{"a", "b", "c"}, ids)
		diff(t, "listed user", want, users[1])
	})
}
