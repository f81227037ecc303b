package users_test

import (
	"errors"
	"testing"

	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
)

// TestNoLogin: a user without username, email and phone exists only when
// asked for (an upstream sign-in's account), stores nothing through New,
// and keeps being changed without one; a user with a login cannot lose
// all of them.
func TestNoLogin(t *testing.T) {
	s := newService(t, nil)
	ctx := t.Context()
	_, err := s.New(ctx, users.CreateParams{NoPassword: true})
	if !errors.Is(err, model.ErrInvalidInput) {
		t.Fatalf("New without a login = %v, want ErrInvalidInput", err)
	}
	u, err := s.New(ctx, users.CreateParams{NoPassword: true, NoLogin: true, Name: "Ada",
		SourceType: model.UserSourceExtIdp})
	if err != nil || u.ID == "" || u.Name != "Ada" || u.SourceType != model.UserSourceExtIdp || u.PasswordHash != "" {
		t.Fatalf("New = %+v, %v", u, err)
	}
	if _, err := s.Store.GetUser(ctx, u.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("New stored the user: %v", err)
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	name := "Ada Lovelace"
	if _, err := s.Update(ctx, u.ID, users.Patch{Name: &name}); err != nil {
		t.Fatalf("Update of a user without a login: %v", err)
	}

	withLogin, err := s.Create(ctx, users.CreateParams{Username: "bob", NoPassword: true})
	if err != nil {
		t.Fatal(err)
	}
	none := ""
	if _, err := s.Update(ctx, withLogin.ID, users.Patch{Username: &none}); !errors.Is(err, model.ErrInvalidInput) {
		t.Fatalf("Update removing the only login = %v, want ErrInvalidInput", err)
	}
}
