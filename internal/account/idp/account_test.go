package idp_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/model"
)

// account stores a user with a password hash (or none) and the given
// email and its verification.
func (e *env) account(t *testing.T, id, username, email string, verified bool, password string) *model.User {
	t.Helper()
	u := &model.User{ID: id, Username: username, Email: email, EmailVerified: verified, PasswordHash: password,
		Gender: model.GenderUnknown, Status: model.UserActivated, CreatedAt: t0, UpdatedAt: t0}
	if err := e.st.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) link(t *testing.T, c *model.ExtIdpConn, userID, subject string) {
	t.Helper()
	if err := e.svc.Link(t.Context(), c, &model.UpstreamProfile{Subject: subject}, nil, userID, "192.0.2.1"); err != nil {
		t.Fatalf("Link: %v", err)
	}
}

// TestSignIn: the account rules of a sign-in through an upstream provider.
func TestSignIn(t *testing.T) {
	tests := []struct {
		name      string
		loginOnly bool
		setup     func(t *testing.T, e *env, c *model.ExtIdpConn)
		profile   model.UpstreamProfile
		want      error  // nil: signed in
		wantUser  string // the user signed in ("": a new one)
		check     func(t *testing.T, e *env, u *model.User)
	}{
		{
			name: "linked identity",
			setup: func(t *testing.T, e *env, c *model.ExtIdpConn) {
				e.account(t, "u1", "ada", "ada@example.com", false, "")
				e.link(t, c, "u1", "s1")
			},
			// The profile's email matches nobody's: the link decides, not the email.
			profile:  model.UpstreamProfile{Subject: "s1", Email: "other@example.com", Raw: map[string]any{"sub": "s1"}},
			wantUser: "u1",
			check: func(t *testing.T, _ *env, u *model.User) {
				if u.Email != "ada@example.com" {
					t.Errorf("the sign-in changed the account's email to %q", u.Email)
				}
			},
		},
		{
			name: "verified email of a verified account",
			setup: func(t *testing.T, e *env, _ *model.ExtIdpConn) {
				e.account(t, "u1", "ada", "Ada@Example.com", true, "hash")
			},
			profile: model.UpstreamProfile{Subject: "s1", Email: "ada@example.com", EmailVerified: true},
			want:    &idp.LinkNeeded{},
		},
		{
			name: "unverified upstream email",
			setup: func(t *testing.T, e *env, _ *model.ExtIdpConn) {
				e.account(t, "u1", "ada", "ada@example.com", true, "hash")
			},
			profile: model.UpstreamProfile{Subject: "s1", Email: "ada@example.com"},
			want:    idp.ErrEmailTaken,
		},
		{
			// Pre-account hijacking: someone registered the victim's
			// address without proving it; the victim's upstream sign-in
			// must not adopt that account.
			name: "verified upstream email, unverified account",
			setup: func(t *testing.T, e *env, _ *model.ExtIdpConn) {
				e.account(t, "u1", "ada", "ada@example.com", false, "hash")
			},
			profile: model.UpstreamProfile{Subject: "s1", Email: "ada@example.com", EmailVerified: true},
			want:    idp.ErrEmailTaken,
		},
		{
			name:      "login only",
			loginOnly: true,
			profile:   model.UpstreamProfile{Subject: "s1", Email: "new@example.com", EmailVerified: true},
			want:      idp.ErrNoAccount,
		},
		{
			name: "just in time",
			profile: model.UpstreamProfile{Subject: "s1", Email: "New@Example.com", EmailVerified: true,
				Phone: "+8613800000009", Name: " Ada Lovelace ", Username: "ada", Picture: "https://idp.example/ada.png",
				Raw: map[string]any{"sub": "s1", "login": "ada"}},
			check: func(t *testing.T, e *env, u *model.User) {
				want := model.User{Username: "ada", Email: "new@example.com", EmailVerified: true,
					Phone: "+8613800000009", Name: "Ada Lovelace", Picture: "https://idp.example/ada.png",
					SourceType: model.UserSourceExtIdp, Status: model.UserActivated}
				got := model.User{Username: u.Username, Email: u.Email, EmailVerified: u.EmailVerified, Phone: u.Phone,
					PhoneVerified: u.PhoneVerified, Name: u.Name, Picture: u.Picture, SourceType: u.SourceType,
					Status: u.Status, PasswordHash: u.PasswordHash}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("the created account (-want +got):\n%s", d)
				}
			},
		},
		{
			name: "just in time, username and phone taken",
			setup: func(t *testing.T, e *env, _ *model.ExtIdpConn) {
				u := e.account(t, "u1", "ada", "", false, "hash")
				u.Phone = "+8613800000009"
				if err := e.st.UpdateUser(t.Context(), u, false); err != nil {
					t.Fatal(err)
				}
			},
			profile: model.UpstreamProfile{Subject: "s1", Username: "ADA", Phone: "+8613800000009", Email: "new@example.com"},
			check: func(t *testing.T, e *env, u *model.User) {
				if u.Username != "" || u.Phone != "" || u.Email != "new@example.com" || u.EmailVerified {
					t.Errorf("created %+v; want neither the taken username nor phone, an unverified email", u)
				}
			},
		},
		{
			name:    "just in time, nothing GenAuth accepts",
			profile: model.UpstreamProfile{Subject: "s1", Username: "has space", Email: "not an email", Phone: "12"},
			check: func(t *testing.T, e *env, u *model.User) {
				if u.Username != "" || u.Email != "" || u.Phone != "" {
					t.Errorf("created %+v; want an account without logins", u)
				}
			},
		},
		{
			name: "suspended",
			setup: func(t *testing.T, e *env, c *model.ExtIdpConn) {
				u := e.account(t, "u1", "ada", "", false, "")
				e.link(t, c, "u1", "s1")
				u.Status = model.UserSuspended
				if err := e.st.UpdateUser(t.Context(), u, false); err != nil {
					t.Fatal(err)
				}
			},
			profile: model.UpstreamProfile{Subject: "s1"},
			want:    model.ErrSuspended,
		},
		{
			name: "suspended account with the verified email",
			setup: func(t *testing.T, e *env, _ *model.ExtIdpConn) {
				u := e.account(t, "u1", "ada", "ada@example.com", true, "")
				u.Status = model.UserSuspended
				if err := e.st.UpdateUser(t.Context(), u, false); err != nil {
					t.Fatal(err)
				}
			},
			profile: model.UpstreamProfile{Subject: "s1", Email: "ada@example.com", EmailVerified: true},
			want:    model.ErrSuspended,
		},
		{
			name:    "no subject",
			profile: model.UpstreamProfile{Email: "new@example.com"},
			want:    model.ErrUpstreamRefused,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			p := oidcParams()
			p.LoginOnly = tt.loginOnly
			c := e.conn(t, model.IdPOIDC, p)
			if tt.setup != nil {
				tt.setup(t, e, c)
			}
			e.clock.Advance(time.Hour)
			before, err := e.st.ListUsers(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			e.events = nil
			tokens := &model.UpstreamTokens{AccessToken: "upstream at", RefreshToken: "upstream rt"}
			out, err := e.svc.SignIn(t.Context(), c, &tt.profile, tokens, "192.0.2.7", "app-1")
			if tt.want != nil {
				if ln := (*idp.LinkNeeded)(nil); errors.As(tt.want, &ln) {
					got, ok := errors.AsType[*idp.LinkNeeded](err)
					if !ok || got.User.ID != "u1" || got.Profile == nil || got.Profile.Subject != tt.profile.Subject {
						t.Fatalf("SignIn = %v, %v; want LinkNeeded with u1 and the profile", out, err)
					}
				} else {
					wantErr(t, "SignIn", err, tt.want)
				}
				after, _ := e.st.ListUsers(t.Context())
				if len(after) != len(before) {
					t.Errorf("a refused sign-in created an account")
				}
				if i, err := e.st.FindIdentity(t.Context(), c.ExtIdpID, tt.profile.Subject); err == nil && tt.want != model.ErrSuspended {
					t.Errorf("a refused sign-in linked %+v", i)
				}
				if len(e.events) != 0 {
					t.Errorf("a refused sign-in recorded %v", e.events)
				}
				return
			}
			if err != nil {
				t.Fatalf("SignIn: %v", err)
			}
			if (tt.wantUser == "") != out.Created || (tt.wantUser != "" && out.User.ID != tt.wantUser) {
				t.Fatalf("SignIn = %+v (created %v), want user %q", out.User, out.Created, tt.wantUser)
			}
			stored, err := e.st.GetUser(t.Context(), out.User.ID)
			if err != nil {
				t.Fatal(err)
			}
			i, err := e.st.FindIdentity(t.Context(), c.ExtIdpID, tt.profile.Subject)
			if err != nil || i.UserID != stored.ID || i.ConnID != c.ID || i.Provider != model.IdPOIDC ||
				!i.UpdatedAt.Equal(t0.Add(time.Hour)) || len(i.Profile) != len(tt.profile.Raw) {
				t.Fatalf("the identity after SignIn = %+v, %v", i, err)
			}
			if got, err := e.svc.IdentityTokens(i); err != nil || *got != *tokens {
				t.Errorf("IdentityTokens = %+v, %v; want the sign-in's", got, err)
			}
			if strings.Contains(string(i.SealedTokens), "upstream") {
				t.Error("the upstream tokens are stored in plain")
			}
			wantEvents := []string{model.AuditIdPSignIn + " " + c.Identifier}
			if out.Created {
				wantEvents = append([]string{model.AuditRegister + " idp:" + c.Identifier}, wantEvents...)
				if stored.PasswordHash != "" || !stored.CreatedAt.Equal(t0.Add(time.Hour)) {
					t.Errorf("the new account %+v", stored)
				}
			}
			var got []string
			for _, ev := range e.events {
				if ev.UserID != stored.ID || ev.IP != "192.0.2.7" || ev.ClientID != "app-1" {
					t.Errorf("event %+v", ev)
				}
				got = append(got, ev.Type+" "+ev.Detail)
			}
			if strings.Join(got, ", ") != strings.Join(wantEvents, ", ") {
				t.Errorf("events %q, want %q", got, wantEvents)
			}
			if tt.check != nil {
				tt.check(t, e, stored)
			}
		})
	}
}

// TestSignInKeepsTokens: a sign-in that brings no tokens (a directory's)
// keeps those an earlier one stored.
func TestSignInKeepsTokens(t *testing.T) {
	e := newEnv(t)
	c := e.conn(t, model.IdPOIDC, oidcParams())
	p := &model.UpstreamProfile{Subject: "s1"}
	tokens := &model.UpstreamTokens{AccessToken: "at", Expiry: t0.Add(time.Hour)}
	if _, err := e.svc.SignIn(t.Context(), c, p, tokens, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SignIn(t.Context(), c, p, nil, "", ""); err != nil {
		t.Fatal(err)
	}
	i, err := e.st.FindIdentity(t.Context(), c.ExtIdpID, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.IdentityTokens(i); err != nil || *got != *tokens {
		t.Errorf("IdentityTokens = %+v, %v; want the first sign-in's", got, err)
	}
}

func TestLink(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	c := e.conn(t, model.IdPOIDC, oidcParams())
	e.account(t, "u1", "ada", "", false, "hash")
	e.account(t, "u2", "bob", "", false, "hash")
	e.events = nil
	p := &model.UpstreamProfile{Subject: "s1", Raw: map[string]any{"sub": "s1"}}
	if err := e.svc.Link(ctx, c, p, nil, "u1", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if len(e.events) != 1 || e.events[0].Type != model.AuditIdPLink || e.events[0].UserID != "u1" ||
		e.events[0].Detail != c.Identifier || e.events[0].IP != "192.0.2.1" {
		t.Errorf("events %+v", e.events)
	}
	// Linking again refreshes the link.
	if err := e.svc.Link(ctx, c, &model.UpstreamProfile{Subject: "s1", Raw: map[string]any{"name": "Ada"}}, nil, "u1", ""); err != nil {
		t.Fatalf("Link again: %v", err)
	}
	if i, err := e.st.FindIdentity(ctx, c.ExtIdpID, "s1"); err != nil || i.Profile["name"] != "Ada" {
		t.Errorf("the refreshed identity = %+v, %v", i, err)
	}
	wantErr(t, "Link of another user's upstream account", e.svc.Link(ctx, c, p, nil, "u2", ""), idp.ErrAlreadyLinked)
	wantErr(t, "Link of a second upstream account at one provider",
		e.svc.Link(ctx, c, &model.UpstreamProfile{Subject: "s2"}, nil, "u1", ""), idp.ErrAlreadyLinked)
	wantErr(t, "Link to an unknown user", e.svc.Link(ctx, c, &model.UpstreamProfile{Subject: "s3"}, nil, "nope", ""),
		model.ErrNotFound)
	wantErr(t, "Link without a subject", e.svc.Link(ctx, c, &model.UpstreamProfile{}, nil, "u2", ""),
		model.ErrUpstreamRefused)

	// After linking, the verified-email case signs in.
	out, err := e.svc.SignIn(ctx, c, p, nil, "", "")
	if err != nil || out.User.ID != "u1" || out.Created {
		t.Fatalf("SignIn after Link = %+v, %v", out, err)
	}
	list, err := e.svc.Identities(ctx, "u1")
	if err != nil || len(list) != 1 || list[0].Subject != "s1" {
		t.Fatalf("Identities = %v, %v", list, err)
	}
}

// TestUnlink: an identity goes unless it is the account's last way to
// sign in.
func TestUnlink(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, e *env, u *model.User, other *model.ExtIdpConn)
		want  error
	}{
		{"last way", nil, idp.ErrLastLogin},
		{"unverified email", func(t *testing.T, e *env, u *model.User, _ *model.ExtIdpConn) {
			u.Email = "ada@example.com"
			if err := e.st.UpdateUser(t.Context(), u, false); err != nil {
				t.Fatal(err)
			}
		}, idp.ErrLastLogin},
		{"a TOTP factor", func(t *testing.T, e *env, u *model.User, _ *model.ExtIdpConn) {
			if err := e.st.CreateFactor(t.Context(), &model.Factor{ID: "f", UserID: u.ID, Type: model.FactorTOTP,
				Sealed: []byte("x"), CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}, idp.ErrLastLogin},
		{"password", func(t *testing.T, e *env, u *model.User, _ *model.ExtIdpConn) {
			u.PasswordHash = "hash"
			if err := e.st.UpdateUser(t.Context(), u, false); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"verified email", func(t *testing.T, e *env, u *model.User, _ *model.ExtIdpConn) {
			u.Email, u.EmailVerified = "ada@example.com", true
			if err := e.st.UpdateUser(t.Context(), u, false); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"verified phone", func(t *testing.T, e *env, u *model.User, _ *model.ExtIdpConn) {
			u.Phone, u.PhoneVerified = "+8613800000001", true
			if err := e.st.UpdateUser(t.Context(), u, false); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"another identity", func(t *testing.T, e *env, u *model.User, other *model.ExtIdpConn) {
			e.link(t, other, u.ID, "s-other")
		}, nil},
		{"a passkey", func(t *testing.T, e *env, u *model.User, _ *model.ExtIdpConn) {
			if err := e.st.CreateFactor(t.Context(), &model.Factor{ID: "f", UserID: u.ID, Type: model.FactorWebAuthn,
				CredentialID: "cred", Sealed: []byte("x"), CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.conn(t, model.IdPOIDC, oidcParams())
			other := e.conn(t, model.IdPOAuth2, idp.ConnParams{Preset: "github", Fields: model.ConnFields{ClientID: "gh"}})
			u := e.account(t, "u1", "", "", false, "")
			e.link(t, c, u.ID, "s1")
			if tt.setup != nil {
				tt.setup(t, e, u, other)
			}
			e.events = nil
			err := e.svc.Unlink(t.Context(), u.ID, c.ExtIdpID, "192.0.2.1")
			_, found := e.st.FindIdentity(t.Context(), c.ExtIdpID, "s1")
			if tt.want != nil {
				wantErr(t, "Unlink", err, tt.want)
				if found != nil {
					t.Error("a refused Unlink removed the identity")
				}
				return
			}
			if err != nil {
				t.Fatalf("Unlink: %v", err)
			}
			if !errors.Is(found, model.ErrNotFound) {
				t.Errorf("the identity is still there: %v", found)
			}
			if len(e.events) != 1 || e.events[0].Type != model.AuditIdPUnlink || e.events[0].Detail != c.ExtIdpID {
				t.Errorf("events %+v", e.events)
			}
			wantErr(t, "Unlink again", e.svc.Unlink(t.Context(), u.ID, c.ExtIdpID, ""), model.ErrNotFound)
		})
	}
}

func TestIdentityTokensNone(t *testing.T) {
	e := newEnv(t)
	got, err := e.svc.IdentityTokens(&model.Identity{})
	if err != nil || *got != (model.UpstreamTokens{}) {
		t.Fatalf("IdentityTokens of an identity without tokens = %+v, %v", got, err)
	}
	_, err = e.svc.IdentityTokens(&model.Identity{SealedTokens: []byte("forged")})
	if err == nil {
		t.Fatal("IdentityTokens of forged tokens succeeded")
	}
}

// TestConcurrentFirstSignIn: two first sign-ins of one upstream account at
// once make one account, which both sign in to.
func TestConcurrentFirstSignIn(t *testing.T) {
	e := newEnv(t)
	c := e.conn(t, model.IdPOIDC, oidcParams())
	var (
		wg  sync.WaitGroup
		out [2]*idp.Outcome
		err [2]error
	)
	for n := range 2 {
		wg.Go(func() {
			p := &model.UpstreamProfile{Subject: "s1", Username: "ada", Email: "ada@example.com", EmailVerified: true}
			out[n], err[n] = e.svc.SignIn(context.Background(), c, p, nil, "", "")
		})
	}
	wg.Wait()
	if err[0] != nil || err[1] != nil {
		t.Fatalf("SignIn errors: %v, %v", err[0], err[1])
	}
	if out[0].User.ID != out[1].User.ID || out[0].Created == out[1].Created {
		t.Fatalf("outcomes %+v and %+v; want one account, created once", out[0], out[1])
	}
	if list, err := e.st.ListUsers(t.Context()); err != nil || len(list) != 1 {
		t.Fatalf("users = %v, %v; want one", list, err)
	}
}
