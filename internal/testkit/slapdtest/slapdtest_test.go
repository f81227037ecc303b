package slapdtest

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func dial(t *testing.T, url string, tc *tls.Config) *ldap.Conn {
	t.Helper()
	l, err := ldap.DialURL(url, ldap.DialWithTLSConfig(tc))
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func search(l *ldap.Conn, filter string, attrs ...string) (*ldap.SearchResult, error) {
	return l.Search(ldap.NewSearchRequest(BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		filter, attrs, nil))
}

func TestDirectory(t *testing.T) {
	s := Start(t, Options{})
	if s.LDAPSURL != "" || s.CAPEM != "" {
		t.Errorf("without TLS: LDAPSURL %q, CAPEM %d bytes", s.LDAPSURL, len(s.CAPEM))
	}

	t.Run("anonymous reads nothing", func(t *testing.T) {
		res, err := search(dial(t, s.URL, nil), "(uid=alice)")
		if err == nil && len(res.Entries) > 0 {
			t.Fatalf("anonymous search found %d entries", len(res.Entries))
		}
	})

	t.Run("the reader searches", func(t *testing.T) {
		l := dial(t, s.URL, nil)
		if err := l.Bind(s.BindDN, s.BindPassword); err != nil {
			t.Fatal(err)
		}
		for _, u := range People {
			res, err := search(l, "(entryUUID="+u.EntryUUID+")", "cn", "userPassword")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Entries) != 1 || res.Entries[0].DN != u.DN || res.Entries[0].GetAttributeValue("cn") != u.CN {
				t.Fatalf("%s: got %d entries", u.DN, len(res.Entries))
			}
			if pw := res.Entries[0].GetAttributeValues("userPassword"); len(pw) != 0 {
				t.Errorf("%s: the reader sees userPassword", u.DN)
			}
		}
		res, err := search(l, "(uid="+ldap.EscapeFilter(Mallory.UID)+")")
		if err != nil || len(res.Entries) != 1 || res.Entries[0].DN != Mallory.DN {
			t.Fatalf("Mallory by her escaped uid: %v, %+v", err, res)
		}
		res, err = search(l, "(sAMAccountName=carol)", "objectGUID")
		if err != nil || len(res.Entries) != 1 || string(res.Entries[0].GetRawAttributeValue("objectGUID")) != string(Carol.ObjectGUID) {
			t.Fatalf("Carol by sAMAccountName: %v, %+v", err, res)
		}
	})

	t.Run("people bind with their passwords", func(t *testing.T) {
		for _, u := range People {
			if err := dial(t, s.URL, nil).Bind(u.DN, u.Password); err != nil {
				t.Errorf("%s: %v", u.DN, err)
			}
			err := dial(t, s.URL, nil).Bind(u.DN, u.Password+"x")
			if !ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
				t.Errorf("%s with a wrong password: %v", u.DN, err)
			}
		}
	})

	t.Run("stopped", func(t *testing.T) {
		s.Stop()
		if l, err := ldap.DialURL(s.URL); err == nil {
			l.Close()
			t.Fatal("slapd still answers after Stop")
		}
	})
}

func TestTLS(t *testing.T) {
	s := Start(t, Options{TLS: true})
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(s.CAPEM)) {
		t.Fatal("CAPEM holds no certificate")
	}
	for _, name := range []string{"127.0.0.1", "localhost"} {
		tc := &tls.Config{RootCAs: pool, ServerName: name, MinVersion: tls.VersionTLS12}
		t.Run("ldaps "+name, func(t *testing.T) {
			if err := dial(t, s.LDAPSURL, tc).Bind(s.BindDN, s.BindPassword); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("starttls "+name, func(t *testing.T) {
			l := dial(t, s.URL, nil)
			if err := l.StartTLS(tc); err != nil {
				t.Fatal(err)
			}
			if err := l.Bind(s.BindDN, s.BindPassword); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("the system roots do not trust it", func(t *testing.T) {
		if l, err := ldap.DialURL(s.LDAPSURL, ldap.DialWithTLSConfig(&tls.Config{ServerName: "localhost"})); err == nil {
			l.Close()
			t.Fatal("LDAPS handshake succeeded without the test CA")
		}
	})
}
