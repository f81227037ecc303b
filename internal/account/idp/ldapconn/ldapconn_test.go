package ldapconn

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/testkit/slapdtest"
)

// conn is a connection to s of kind typ, as the service would hand it over.
func conn(s *slapdtest.Server, typ string, edit func(*model.ConnFields)) *model.ExtIdpConn {
	c := &model.ExtIdpConn{Identifier: "corp", Type: typ, Fields: model.ConnFields{
		URL: s.URL, BindDN: s.BindDN, BaseDN: s.BaseDN,
	}}
	if edit != nil {
		edit(&c.Fields)
	}
	return c
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// check asserts err is want and shows neither password.
func check(t *testing.T, err, want error, passwords ...string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
	for _, pw := range passwords {
		if pw != "" && strings.Contains(err.Error(), pw) {
			t.Errorf("error %q shows a password", err)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	s := slapdtest.Start(t, slapdtest.Options{})
	alice, carol, mallory := slapdtest.Alice, slapdtest.Carol, slapdtest.Mallory
	aliceRaw := map[string]any{"dn": alice.DN, "entryUUID": alice.EntryUUID, "uid": "alice", "mail": alice.Mail,
		"cn": alice.CN, "telephoneNumber": alice.Phone}
	tests := []struct {
		name            string
		typ             string
		edit            func(*model.ConnFields)
		login, password string
		bindPassword    string // "": the reader's
		want            *model.UpstreamProfile
		wantErr         error
		detail          string // in the error
	}{
		{
			name: "alice", login: "alice", password: alice.Password,
			want: &model.UpstreamProfile{Subject: alice.EntryUUID, Username: "alice", Email: alice.Mail, Name: alice.CN,
				Phone: alice.Phone, Raw: aliceRaw},
		},
		{
			name: "a trusted email is verified", login: "alice", password: alice.Password,
			edit: func(f *model.ConnFields) { f.TrustEmail = true },
			want: &model.UpstreamProfile{Subject: alice.EntryUUID, Username: "alice", Email: alice.Mail,
				EmailVerified: true, Name: alice.CN, Phone: alice.Phone, Raw: aliceRaw},
		},
		{
			name: "the login's case as the directory matches it", login: "ALICE", password: alice.Password,
			want: &model.UpstreamProfile{Subject: alice.EntryUUID, Username: "alice", Email: alice.Mail, Name: alice.CN,
				Phone: alice.Phone, Raw: aliceRaw},
		},
		{
			name: "mapping overrides", login: "alice", password: alice.Password,
			edit: func(f *model.ConnFields) {
				f.Mapping = map[string]string{model.ProfileSubject: "uid", model.ProfileUsername: "mail",
					model.ProfileName: "sn", model.ProfilePhone: "", model.ProfileEmail: "mail"}
			},
			want: &model.UpstreamProfile{Subject: "alice", Username: alice.Mail, Email: alice.Mail, Name: "Liddell",
				Raw: map[string]any{"dn": alice.DN, "uid": "alice", "mail": alice.Mail, "sn": "Liddell"}},
		},
		{
			name: "a filter of the connection's", login: alice.Mail, password: alice.Password,
			edit: func(f *model.ConnFields) { f.UserFilter = "(&(objectClass=inetOrgPerson)(mail=%s))" },
			want: &model.UpstreamProfile{Subject: alice.EntryUUID, Username: "alice", Email: alice.Mail, Name: alice.CN,
				Phone: alice.Phone, Raw: aliceRaw},
		},
		{
			name: "a uid with filter metacharacters matches only itself", login: mallory.UID, password: mallory.Password,
			want: &model.UpstreamProfile{Subject: mallory.EntryUUID, Username: mallory.UID, Name: mallory.CN,
				Raw: map[string]any{"dn": mallory.DN, "entryUUID": mallory.EntryUUID, "uid": mallory.UID, "cn": mallory.CN}},
		},
		{
			name: "active directory", typ: model.IdPAD, login: "carol", password: carol.Password,
			want: &model.UpstreamProfile{Subject: "00112233-4455-6677-8899-aabbccddeeff", Username: "carol",
				Email: carol.Mail, Name: carol.DisplayName, Raw: map[string]any{"dn": carol.DN,
					"objectGUID": "00112233-4455-6677-8899-aabbccddeeff", "sAMAccountName": "carol",
					"mail": carol.Mail, "displayName": carol.DisplayName}},
		},
		{name: "wrong password", login: "alice", password: "not-" + alice.Password, wantErr: model.ErrBadCredentials},
		{name: "another's password", login: "alice", password: slapdtest.Bob.Password, wantErr: model.ErrBadCredentials},
		{name: "unknown user", login: "zed", password: alice.Password, wantErr: model.ErrBadCredentials},
		{name: "a wildcard login", login: "*", password: alice.Password, wantErr: model.ErrBadCredentials},
		{name: "injection: any uid", login: "*)(uid=*", password: alice.Password, wantErr: model.ErrBadCredentials},
		{name: "injection: or", login: "alice)(|(uid=*", password: alice.Password, wantErr: model.ErrBadCredentials},
		{name: "injection: or, Mallory's password", login: "alice)(|(uid=*", password: mallory.Password, wantErr: model.ErrBadCredentials},
		{
			name: "several matches", login: "alice", password: alice.Password, wantErr: model.ErrBadCredentials,
			edit: func(f *model.ConnFields) { f.UserFilter = "(|(uid=%s)(uid=bob))" },
		},
		{
			name: "an LDAP user under the AD defaults", typ: model.IdPAD, login: "alice", password: alice.Password,
			wantErr: model.ErrBadCredentials,
		},
		{
			name: "a wrong bind password", login: "alice", password: alice.Password, bindPassword: "not-" + s.BindPassword,
			wantErr: model.ErrUpstreamUnavailable, detail: "bind as " + slapdtest.ReaderDN + ": LDAP Result Code 49",
		},
		{
			name: "an unknown base DN", login: "alice", password: alice.Password, wantErr: model.ErrUpstreamUnavailable, detail: "No Such Object",
			edit: func(f *model.ConnFields) { f.BaseDN = "dc=nowhere,dc=org" },
		},
		{
			name: "an entry without a subject", login: "alice", password: alice.Password, wantErr: model.ErrUpstreamUnavailable,
			detail: "no employeeNumber attribute",
			edit:   func(f *model.ConnFields) { f.Mapping = map[string]string{model.ProfileSubject: "employeeNumber"} },
		},
		{
			name: "StartTLS the server does not offer", login: "alice", password: alice.Password,
			wantErr: model.ErrUpstreamUnavailable, detail: "StartTLS", edit: func(f *model.ConnFields) { f.StartTLS = true },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := tt.typ
			if typ == "" {
				typ = model.IdPLDAP
			}
			c := conn(s, typ, tt.edit)
			bindPassword := tt.bindPassword
			if bindPassword == "" {
				bindPassword = s.BindPassword
			}
			got, err := new(Directory).Authenticate(t.Context(), c, bindPassword, tt.login, tt.password)
			if tt.wantErr != nil {
				check(t, err, tt.wantErr, tt.password, bindPassword)
				if !strings.Contains(err.Error(), tt.detail) {
					t.Errorf("error = %v, want it to say %q", err, tt.detail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("profile (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRefusedBeforeDialing: an empty login or password, or a bind DN
// without a password, never reaches the directory (here none listens, so
// reaching it would be ErrUpstreamUnavailable).
func TestRefusedBeforeDialing(t *testing.T) {
	c := &model.ExtIdpConn{Type: model.IdPLDAP, Fields: model.ConnFields{
		URL: "ldap://" + closedPort(t), BindDN: slapdtest.ReaderDN, BaseDN: slapdtest.BaseDN,
	}}
	tests := []struct {
		name                          string
		bindPassword, login, password string
		wantErr                       error
	}{
		{name: "empty password", bindPassword: "x", login: "alice", wantErr: model.ErrBadCredentials},
		{name: "empty login", bindPassword: "x", password: "x", wantErr: model.ErrBadCredentials},
		{name: "no bind password", login: "alice", password: "x", wantErr: model.ErrUpstreamUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := new(Directory).Authenticate(t.Context(), c, tt.bindPassword, tt.login, tt.password)
			check(t, err, tt.wantErr)
			if tt.wantErr == model.ErrUpstreamUnavailable && !strings.Contains(err.Error(), "no bind password") {
				t.Errorf("error = %v, want the missing bind password", err)
			}
		})
	}
}

func TestConfiguration(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		edit func(*model.ConnFields)
		want string // in the error
	}{
		{name: "not a directory", typ: model.IdPOIDC, want: "neither"},
		{name: "http URL", edit: func(f *model.ConnFields) { f.URL = "http://127.0.0.1" }, want: "is not ldap://"},
		{name: "no host", edit: func(f *model.ConnFields) { f.URL = "ldap://" }, want: "is not ldap://"},
		{name: "filter without %s", edit: func(f *model.ConnFields) { f.UserFilter = "(uid=alice)" }, want: "exactly one %s"},
		{name: "filter with two %s", edit: func(f *model.ConnFields) { f.UserFilter = "(|(uid=%s)(mail=%s))" }, want: "exactly one %s"},
		{name: "broken filter", edit: func(f *model.ConnFields) { f.UserFilter = "(uid=%s" }, want: "userFilter"},
		{name: "no subject", edit: func(f *model.ConnFields) { f.Mapping = map[string]string{model.ProfileSubject: ""} }, want: "subject"},
		{name: "CA without a certificate", edit: func(f *model.ConnFields) { f.CACert = "not PEM" }, want: "caCert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := tt.typ
			if typ == "" {
				typ = model.IdPLDAP
			}
			c := &model.ExtIdpConn{Type: typ, Fields: model.ConnFields{URL: "ldap://" + closedPort(t), BaseDN: slapdtest.BaseDN}}
			if tt.edit != nil {
				tt.edit(&c.Fields)
			}
			_, err := new(Directory).Authenticate(t.Context(), c, "", "alice", "pw")
			check(t, err, model.ErrUpstreamUnavailable)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestTLS(t *testing.T) {
	s := slapdtest.Start(t, slapdtest.Options{TLS: true})
	other := slapdtest.Start(t, slapdtest.Options{TLS: true})
	other.Stop()
	localhost := strings.Replace(s.LDAPSURL, "127.0.0.1", "localhost", 1)
	tests := []struct {
		name    string
		edit    func(*model.ConnFields)
		wantErr error
		detail  string // in the error
	}{
		{name: "LDAPS", edit: func(f *model.ConnFields) { f.URL, f.CACert = s.LDAPSURL, s.CAPEM }},
		{name: "LDAPS by name", edit: func(f *model.ConnFields) { f.URL, f.CACert = localhost, s.CAPEM }},
		{name: "StartTLS", edit: func(f *model.ConnFields) { f.StartTLS, f.CACert = true, s.CAPEM }},
		{
			name: "LDAPS with another CA", wantErr: model.ErrUpstreamUnavailable, detail: "unknown authority",
			edit: func(f *model.ConnFields) { f.URL, f.CACert = s.LDAPSURL, other.CAPEM },
		},
		{
			name: "StartTLS with another CA", wantErr: model.ErrUpstreamUnavailable, detail: "unknown authority",
			edit: func(f *model.ConnFields) { f.StartTLS, f.CACert = true, other.CAPEM },
		},
		{
			name: "LDAPS with the system's roots", wantErr: model.ErrUpstreamUnavailable, detail: "unknown authority",
			edit: func(f *model.ConnFields) { f.URL = s.LDAPSURL },
		},
		{
			name: "LDAPS to plain LDAP", wantErr: model.ErrUpstreamUnavailable, detail: "TLS handshake",
			edit: func(f *model.ConnFields) { f.URL, f.CACert = strings.Replace(s.URL, "ldap:", "ldaps:", 1), s.CAPEM },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := conn(s, model.IdPLDAP, tt.edit)
			got, err := new(Directory).Authenticate(t.Context(), c, s.BindPassword, "alice", slapdtest.Alice.Password)
			if tt.wantErr != nil {
				check(t, err, tt.wantErr, slapdtest.Alice.Password, s.BindPassword)
				if !strings.Contains(err.Error(), tt.detail) {
					t.Errorf("error = %v, want it to say %q", err, tt.detail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != slapdtest.Alice.EntryUUID {
				t.Errorf("subject = %q, want Alice's", got.Subject)
			}
		})
	}
}

// hungDirectory listens on a loopback port, accepts connections and never
// answers; accepted receives each connection it accepted.
func hungDirectory(t *testing.T) (addr string, accepted <-chan net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-conns:
				c.Close()
			default:
				return
			}
		}
	})
	return ln.Addr().String(), conns
}

// TestUnreachable: a directory that is down, or that accepts and never
// answers, is ErrUpstreamUnavailable within the timeout or when the caller
// gives up.
func TestUnreachable(t *testing.T) {
	at := func(url string) *model.ExtIdpConn {
		return &model.ExtIdpConn{Type: model.IdPLDAP, Fields: model.ConnFields{
			URL: url, BindDN: slapdtest.ReaderDN, BaseDN: slapdtest.BaseDN,
		}}
	}
	tests := []struct {
		name    string
		scheme  string
		timeout time.Duration
		cancel  string // "before" the call, "accepted" once the directory accepted
		want    error
	}{
		{name: "timeout", scheme: "ldap", timeout: 50 * time.Millisecond, want: context.DeadlineExceeded},
		{name: "LDAPS handshake timeout", scheme: "ldaps", timeout: 50 * time.Millisecond, want: context.DeadlineExceeded},
		{name: "cancelled while waiting", scheme: "ldap", cancel: "accepted", want: context.Canceled},
		{name: "cancelled during the handshake", scheme: "ldaps", cancel: "accepted", want: context.Canceled},
		{name: "cancelled before", scheme: "ldap", cancel: "before", want: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, accepted := hungDirectory(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			switch tt.cancel {
			case "before":
				cancel()
			case "accepted":
				go func() {
					<-accepted
					cancel()
				}()
			}
			d := &Directory{Timeout: tt.timeout}
			_, err := d.Authenticate(ctx, at(tt.scheme+"://"+addr), "x", "alice", "pw")
			check(t, err, model.ErrUpstreamUnavailable)
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("closed port", func(t *testing.T) {
		_, err := new(Directory).Authenticate(t.Context(), at("ldap://"+closedPort(t)), "x", "alice", "pw")
		check(t, err, model.ErrUpstreamUnavailable)
	})
}

// TestCheck: the service bind and the base DN, as genauth doctor reads
// them, against a real slapd.
func TestCheck(t *testing.T) {
	s := slapdtest.Start(t, slapdtest.Options{})
	d := &Directory{}
	tests := []struct {
		name     string
		edit     func(*model.ConnFields)
		password string
		want     error
	}{
		{"the service account and the base DN", nil, s.BindPassword, nil},
		{"anonymous, which the directory lets bind but not read", func(f *model.ConnFields) { f.BindDN = "" }, "", model.ErrUpstreamUnavailable},
		{"a wrong bind password", nil, "not the password", model.ErrUpstreamUnavailable},
		{"no bind password", nil, "", model.ErrUpstreamUnavailable},
		{"a base DN that is not there", func(f *model.ConnFields) { f.BaseDN = "ou=nobody," + s.BaseDN }, s.BindPassword, model.ErrUpstreamUnavailable},
		{"nothing listening", func(f *model.ConnFields) { f.URL = "ldap://" + closedPort(t) }, s.BindPassword, model.ErrUpstreamUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := d.Check(t.Context(), conn(s, model.IdPLDAP, tc.edit), tc.password)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			check(t, err, tc.want, tc.password)
		})
	}
}
