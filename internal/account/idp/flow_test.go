package idp_test

import (
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/model"
)

func TestBegin(t *testing.T) {
	e := newEnv(t)
	c := e.conn(t, model.IdPOIDC, oidcParams())
	authURL, f, err := e.svc.Begin(t.Context(), c, "/oidc/auth?x=1", "user-1")
	if err != nil {
		t.Fatal(err)
	}
	if authURL != "https://idp.example/authorize?state="+f.State {
		t.Errorf("Begin's URL = %s, not the connector's", authURL)
	}
	if !slices.Equal(e.web.args, []string{"https://auth.example/connections/corp-sso/callback", f.State, f.Nonce, f.Verifier}) {
		t.Errorf("AuthCodeURL got %q", e.web.args)
	}
	for _, v := range []string{f.State, f.Nonce, f.Verifier} {
		if b, err := base64.RawURLEncoding.DecodeString(v); err != nil || len(b) != 32 {
			t.Errorf("%q is not 256 random bits", v)
		}
	}
	if f.State == f.Nonce || f.Nonce == f.Verifier || f.ConnID != c.ID || f.ReturnTo != "/oidc/auth?x=1" ||
		f.LinkUserID != "user-1" || !f.Expires.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("flow %+v", f)
	}

	e.web.err = model.ErrUpstreamUnavailable
	_, _, err = e.svc.Begin(t.Context(), c, "/", "")
	wantErr(t, "Begin when discovery fails", err, model.ErrUpstreamUnavailable)
	ldap := e.conn(t, model.IdPLDAP, idp.ConnParams{Fields: model.ConnFields{URL: "ldap://dir.example", BaseDN: "dc=x"}})
	_, _, err = e.svc.Begin(t.Context(), ldap, "/", "")
	wantErr(t, "Begin at a directory", err, model.ErrInvalidInput)
}

func TestSealFlow(t *testing.T) {
	e := newEnv(t)
	c := e.conn(t, model.IdPOIDC, oidcParams())
	_, f, err := e.svc.Begin(t.Context(), c, "/back", "")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := e.svc.SealFlow(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.OpenFlow(sealed)
	if err != nil || *got != *f {
		t.Fatalf("OpenFlow = %+v, %v; want %+v", got, err, f)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(sealed)
	raw[len(raw)/2] ^= 1
	other, err := e.svc.LinkTicket("u", c.ID) // sealed under another purpose
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "not base64!", base64.RawURLEncoding.EncodeToString(raw), other} {
		_, err := e.svc.OpenFlow(bad)
		wantErr(t, "OpenFlow of "+bad, err, model.ErrUpstreamRefused)
	}
	e.clock.Advance(10*time.Minute - time.Millisecond)
	if _, err := e.svc.OpenFlow(sealed); err != nil {
		t.Fatalf("OpenFlow just before expiry: %v", err)
	}
	e.clock.Advance(time.Millisecond)
	_, err = e.svc.OpenFlow(sealed)
	wantErr(t, "OpenFlow of an expired flow", err, model.ErrUpstreamRefused)
}

func TestComplete(t *testing.T) {
	profile := &model.UpstreamProfile{Subject: "s1"}
	tests := []struct {
		name        string
		state, code string
		change      func(f *idp.Flow, c *model.ExtIdpConn)
		want        error // nil: exchanged
	}{
		{"exchanged", "", "code-1", nil, nil},
		{"state mismatch", "forged", "code-1", nil, model.ErrUpstreamRefused},
		{"no state", "-", "code-1", nil, model.ErrUpstreamRefused},
		{"flow without state", "-", "code-1", func(f *idp.Flow, _ *model.ExtIdpConn) { f.State = "" }, model.ErrUpstreamRefused},
		{"another connection's flow", "", "code-1", func(f *idp.Flow, _ *model.ExtIdpConn) { f.ConnID = "other" },
			model.ErrUpstreamRefused},
		{"expired", "", "code-1", func(f *idp.Flow, _ *model.ExtIdpConn) { f.Expires = t0 }, model.ErrUpstreamRefused},
		{"no code", "", "", nil, model.ErrUpstreamRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.conn(t, model.IdPOIDC, oidcParams())
			_, f, err := e.svc.Begin(t.Context(), c, "/", "")
			if err != nil {
				t.Fatal(err)
			}
			state := f.State
			switch tt.state {
			case "-":
				state = ""
			case "":
			default:
				state = tt.state
			}
			if tt.change != nil {
				tt.change(f, c)
			}
			e.web.profile, e.web.tokens = profile, &model.UpstreamTokens{AccessToken: "at"}
			p, tok, err := e.svc.Complete(t.Context(), c, f, state, tt.code)
			if tt.want != nil {
				wantErr(t, "Complete", err, tt.want)
				if slices.Contains(e.web.calls, "exchange") {
					t.Error("the code was redeemed anyway")
				}
				return
			}
			if err != nil || p != profile || tok.AccessToken != "at" {
				t.Fatalf("Complete = %v, %v, %v", p, tok, err)
			}
			want := []string{"client secret", "https://auth.example/connections/corp-sso/callback", "code-1", f.Verifier, f.Nonce}
			if !slices.Equal(e.web.args, want) {
				t.Errorf("Exchange got %q, want %q", e.web.args, want)
			}
		})
	}
}

func TestCompleteUpstreamError(t *testing.T) {
	e := newEnv(t)
	c := e.conn(t, model.IdPOIDC, oidcParams())
	_, f, err := e.svc.Begin(t.Context(), c, "/", "")
	if err != nil {
		t.Fatal(err)
	}
	e.web.err = errors.Join(model.ErrUpstreamRefused, errors.New("access_denied"))
	_, _, err = e.svc.Complete(t.Context(), c, f, f.State, "code")
	wantErr(t, "Complete when the upstream refuses", err, model.ErrUpstreamRefused)
}

func TestLinkTicket(t *testing.T) {
	e := newEnv(t)
	ticket, err := e.svc.LinkTicket("user-1", "conn-1")
	if err != nil {
		t.Fatal(err)
	}
	if u, c, err := e.svc.OpenLinkTicket(ticket); err != nil || u != "user-1" || c != "conn-1" {
		t.Fatalf("OpenLinkTicket = %q, %q, %v", u, c, err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(ticket)
	raw[3] ^= 1
	for _, bad := range []string{"", base64.RawURLEncoding.EncodeToString(raw)} {
		_, _, err := e.svc.OpenLinkTicket(bad)
		wantErr(t, "OpenLinkTicket of a forged ticket", err, model.ErrInvalidInput)
	}
	e.clock.Advance(5 * time.Minute)
	_, _, err = e.svc.OpenLinkTicket(ticket)
	wantErr(t, "OpenLinkTicket of an expired ticket", err, model.ErrInvalidInput)
}

func TestDirectory(t *testing.T) {
	e := newEnv(t)
	c := e.conn(t, model.IdPLDAP, idp.ConnParams{Secret: ptr("bind secret"), Fields: model.ConnFields{
		URL: "ldap://dir.example", BaseDN: "dc=example", BindDN: "cn=svc,dc=example"}})
	p, err := e.svc.Directory(t.Context(), c, "ada", "right")
	if err != nil || p.Subject != "uuid-ada" {
		t.Fatalf("Directory = %v, %v", p, err)
	}
	if e.dir.bindPassword != "bind secret" {
		t.Errorf("the connector got bind password %q", e.dir.bindPassword)
	}
	_, err = e.svc.Directory(t.Context(), c, "ada", "wrong")
	wantErr(t, "Directory with a wrong password", err, model.ErrBadCredentials)
	calls := e.dir.calls
	for _, login := range [][2]string{{"ada", ""}, {"", "right"}, {" ", "right"}} {
		_, err := e.svc.Directory(t.Context(), c, login[0], login[1])
		wantErr(t, "Directory with an empty login or password", err, model.ErrBadCredentials)
	}
	if e.dir.calls != calls {
		t.Error("an empty login or password reached the directory")
	}
	_, err = e.svc.Directory(t.Context(), e.conn(t, model.IdPOIDC, oidcParams()), "ada", "right")
	wantErr(t, "Directory at a web connection", err, model.ErrInvalidInput)
}

// TestCheck: an OpenID Connect connection asks for discovery, a directory
// is checked with its opened bind password, an OAuth 2.0 one has nothing to
// ask.
func TestCheck(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	oidc := e.conn(t, model.IdPOIDC, oidcParams())
	if ok, err := e.svc.Check(ctx, oidc); !ok || err != nil || len(e.web.calls) != 1 || e.web.calls[0] != "authorize" {
		t.Errorf("OIDC: %v %v, calls %v", ok, err, e.web.calls)
	}
	e.web.err = model.ErrUpstreamUnavailable
	if ok, err := e.svc.Check(ctx, oidc); ok || !errors.Is(err, model.ErrUpstreamUnavailable) {
		t.Errorf("OIDC down: %v %v", ok, err)
	}
	ldap := e.conn(t, model.IdPLDAP, idp.ConnParams{Secret: ptr("bind secret"), Fields: model.ConnFields{
		URL: "ldap://dir.example", BindDN: "cn=reader", BaseDN: "dc=x"}})
	if ok, err := e.svc.Check(ctx, ldap); !ok || err != nil || e.dir.bindPassword != "bind secret" {
		t.Errorf("LDAP: %v %v, bind password %q", ok, err, e.dir.bindPassword)
	}
	if ok, err := e.svc.Check(ctx, e.conn(t, model.IdPOAuth2, idp.ConnParams{Preset: "github", Fields: model.ConnFields{ClientID: "gh"}})); ok || err != nil {
		t.Errorf("OAuth 2.0: %v %v", ok, err)
	}
}
