package slapdtest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Where Debian's slapd package puts the server's schema and its modules.
const (
	schemaDir = "/etc/ldap/schema"
	moduleDir = "/usr/lib/ldap"
)

// The directory's layout.
const (
	BaseDN       = "dc=example,dc=org"
	PeopleDN     = "ou=people," + BaseDN
	ReaderDN     = "cn=reader," + BaseDN
	ReaderSecret = "reader-secret"
)

// User is a person seeded in the directory under PeopleDN.
type User struct {
	DN, Password string
	UID          string // "" none
	Mail, Phone  string // "" none
	CN           string
	EntryUUID    string
	// Active Directory's attributes, for Carol only.
	SAMAccountName, DisplayName string
	ObjectGUID                  []byte
}

// The seeded people. Their entryUUIDs are fixed so that tests can expect
// them as subjects.
var (
	Alice = User{
		DN: "uid=alice," + PeopleDN, Password: "alice-pw-1", UID: "alice", CN: "Alice Liddell",
		Mail: "alice@example.org", Phone: "+44 20 7946 0001", EntryUUID: "6c8a1f5e-2b3d-4e7f-9a10-0b1c2d3e4f50",
	}
	Bob = User{
		DN: "uid=bob," + PeopleDN, Password: "bob-pw-2", UID: "bob", CN: "Bob Builder",
		Mail: "bob@example.org", EntryUUID: "7d9b2a6f-3c4e-4f80-8b21-1c2d3e4f5061",
	}
	// Mallory's uid holds filter metacharacters: a login equal to it must
	// find her, and only her, once escaped.
	Mallory = User{
		DN: "cn=Mallory," + PeopleDN, Password: "mallory-pw-3", UID: "a*)(uid=*", CN: "Mallory",
		EntryUUID: "8eac3b70-4d5f-4091-9c32-2d3e4f506172",
	}
	// Carol is shaped like an Active Directory account: sAMAccountName,
	// displayName and a binary objectGUID (00112233-4455-6677-8899-aabbccddeeff
	// in AD's notation, whose first three groups are little-endian).
	Carol = User{
		DN: "cn=Carol Danvers," + PeopleDN, Password: "carol-pw-4", CN: "Carol Danvers",
		Mail: "carol@example.org", EntryUUID: "9fbd4c81-5e60-41a2-8d43-3e4f50617283",
		SAMAccountName: "carol", DisplayName: "Carol D.",
		ObjectGUID: []byte{0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff},
	}
	People = []User{Alice, Bob, Mallory, Carol}
)

// Options say what the server offers besides plain LDAP.
type Options struct {
	// TLS: serve LDAPS on a second port and offer StartTLS on the first,
	// with a certificate for 127.0.0.1 and localhost signed by a CA made for
	// the test (Server.CAPEM).
	TLS bool
}

// Server is a running slapd; it stops at the end of the test.
type Server struct {
	URL      string // ldap://127.0.0.1:port
	LDAPSURL string // ldaps://127.0.0.1:port; "" without TLS
	CAPEM    string // the CA the server's certificate chains to; "" without TLS
	BaseDN   string
	// BindDN and BindPassword are the service account that may search.
	BindDN, BindPassword string

	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has been waited for
	stderr *bytes.Buffer
	stop   sync.Once
}

// Start starts a seeded slapd; it is stopped when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	slapd, slapadd := lookTools(t)
	dir := t.TempDir()
	s := &Server{BaseDN: BaseDN, BindDN: ReaderDN, BindPassword: ReaderSecret}
	conf, err := s.configure(dir, opts)
	if err != nil {
		t.Fatalf("slapdtest: %v", err)
	}
	// slapadd loads the entries offline, faster than adding them over LDAP,
	// and keeps the fixed entryUUIDs.
	if out, err := exec.Command(slapadd, "-f", conf, "-l", filepath.Join(dir, "seed.ldif"), "-q").CombinedOutput(); err != nil {
		t.Fatalf("slapdtest: slapadd: %v: %s", err, out)
	}
	// Ports are picked free and then handed to slapd, so another process can
	// take one in between; then slapd exits at once and is started again.
	for attempt := 1; ; attempt++ {
		err := s.launch(slapd, conf, opts.TLS)
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "Address already in use") {
			t.Fatalf("slapdtest: %v", err)
		}
	}
	t.Cleanup(s.Stop)
	return s
}

// Stop kills slapd and waits for it; a test may call it early (the
// directory is then unreachable).
func (s *Server) Stop() {
	s.stop.Do(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
	})
}

// lookTools finds slapd and slapadd, or skips the test (fails it under
// CI=true) when Debian's slapd package is not installed.
func lookTools(t testing.TB) (slapd, slapadd string) {
	t.Helper()
	slapd, slapadd, missing := find()
	if len(missing) == 0 {
		return slapd, slapadd
	}
	msg := "LDAP tests need Debian's slapd package, missing " + strings.Join(missing, ", ") + ": run scripts/test-deps.sh once"
	if os.Getenv("CI") == "true" {
		t.Fatalf("slapdtest: %s; CI=true requires slapd", msg)
	}
	t.Skipf("slapdtest: skipping: %s", msg)
	return "", ""
}

// Missing lists what Start needs of Debian's slapd package and does not
// find: a test that can do without a directory runs that part only when
// it is empty (or under CI=true, where Start then fails).
func Missing() []string {
	_, _, missing := find()
	return missing
}

func find() (slapd, slapadd string, missing []string) {
	look := func(name string) string {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		// /usr/sbin is not on every user's PATH.
		if p := filepath.Join("/usr/sbin", name); exists(p) {
			return p
		}
		missing = append(missing, name)
		return ""
	}
	slapd, slapadd = look("slapd"), look("slapadd")
	for _, d := range []string{schemaDir, moduleDir} {
		if !exists(d) {
			missing = append(missing, d)
		}
	}
	return slapd, slapadd, missing
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// configure writes slapd.conf, the test schema, the seed and, with TLS, the
// certificates into dir, and returns the configuration's path.
func (s *Server) configure(dir string, opts Options) (string, error) {
	db := filepath.Join(dir, "db")
	if err := os.Mkdir(db, 0o700); err != nil {
		return "", err
	}
	var tlsConf string
	if opts.TLS {
		ca, cert, key, err := makeCerts()
		if err != nil {
			return "", err
		}
		s.CAPEM = string(ca)
		files := map[string][]byte{"ca.pem": ca, "cert.pem": cert, "key.pem": key}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
				return "", err
			}
		}
		tlsConf = fmt.Sprintf("TLSCACertificateFile %q\nTLSCertificateFile %q\nTLSCertificateKeyFile %q\n",
			filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	}
	// Paths are quoted: the temporary directory may hold spaces.
	conf := fmt.Sprintf(`include %[1]s/core.schema
include %[1]s/cosine.schema
include %[1]s/inetorgperson.schema
include "%[2]s/ad.schema"
pidfile "%[2]s/slapd.pid"
argsfile "%[2]s/slapd.args"
modulepath %[3]s
moduleload back_mdb
%[4]s
database mdb
suffix "%[5]s"
directory "%[6]s"
maxsize 16777216
# Anonymous may only bind; the service account reads everything but
# passwords, which only a bind compares.
access to attrs=userPassword
	by anonymous auth
	by * none
access to *
	by dn.exact="%[7]s" read
	by * none
`, schemaDir, dir, moduleDir, tlsConf, BaseDN, db, ReaderDN)
	path := filepath.Join(dir, "slapd.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "ad.schema"), []byte(adSchema), 0o600); err != nil {
		return "", err
	}
	seed, err := seedLDIF()
	if err != nil {
		return "", err
	}
	return path, os.WriteFile(filepath.Join(dir, "seed.ldif"), seed, 0o600)
}

// adSchema declares the two Active Directory attributes Carol carries
// (under AD's own OIDs) and an auxiliary class to hold them.
const adSchema = `attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID'
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 2.25.132355876730649046840860952144326530901 NAME 'genauthTestADUser'
	SUP top AUXILIARY MAY ( objectGUID $ sAMAccountName ) )
`

func seedLDIF() ([]byte, error) {
	var b bytes.Buffer
	entry := func(lines ...string) {
		b.WriteString(strings.Join(lines, "\n") + "\n\n")
	}
	readerPW, err := ssha(ReaderSecret)
	if err != nil {
		return nil, err
	}
	entry("dn: "+BaseDN, "objectClass: dcObject", "objectClass: organization", "o: Example", "dc: example")
	entry("dn: "+ReaderDN, "objectClass: organizationalRole", "objectClass: simpleSecurityObject",
		"cn: reader", "userPassword: "+readerPW)
	entry("dn: "+PeopleDN, "objectClass: organizationalUnit", "ou: people")
	for _, u := range People {
		pw, err := ssha(u.Password)
		if err != nil {
			return nil, err
		}
		sn := u.CN[strings.LastIndex(u.CN, " ")+1:]
		lines := []string{"dn: " + u.DN, "objectClass: inetOrgPerson"}
		// slapadd wants an attribute's values together.
		if u.SAMAccountName != "" {
			lines = append(lines, "objectClass: genauthTestADUser", "sAMAccountName: "+u.SAMAccountName,
				"objectGUID:: "+base64.StdEncoding.EncodeToString(u.ObjectGUID))
		}
		lines = append(lines, "cn: "+u.CN, "sn: "+sn, "entryUUID: "+u.EntryUUID, "userPassword: "+pw)
		for _, av := range [][2]string{{"uid", u.UID}, {"mail", u.Mail}, {"telephoneNumber", u.Phone}, {"displayName", u.DisplayName}} {
			if av[1] != "" {
				lines = append(lines, av[0]+": "+av[1])
			}
		}
		entry(lines...)
	}
	return b.Bytes(), nil
}

// ssha hashes a password as slappasswd does by default: {SSHA} is base64 of
// SHA-1(password || salt) followed by the salt.
func ssha(password string) (string, error) {
	salt := make([]byte, 8)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	h := sha1.Sum(append([]byte(password), salt...))
	return "{SSHA}" + base64.StdEncoding.EncodeToString(append(h[:], salt...)), nil
}

// launch starts slapd on free ports and waits until the service account can
// bind; on failure slapd is stopped and its diagnostics returned.
func (s *Server) launch(slapd, conf string, withTLS bool) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.URL = "ldap://127.0.0.1:" + port
	urls := s.URL + "/"
	if withTLS {
		tlsPort, err := freePort()
		if err != nil {
			return err
		}
		s.LDAPSURL = "ldaps://127.0.0.1:" + tlsPort
		urls += " " + s.LDAPSURL + "/"
	}
	// -d keeps slapd in the foreground, a child we can kill; "none" still
	// prints errors (a port in use, a bad configuration), nothing else. As
	// root it runs without -u: the database is in the test's directory.
	s.cmd = exec.Command(slapd, "-f", conf, "-h", urls, "-d", "none")
	s.stderr = new(bytes.Buffer)
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.exited = make(chan struct{})
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	// Bounded so that a slapd that hangs fails the test instead of the
	// package's timeout; it answers well within it.
	deadline := time.After(30 * time.Second)
	for {
		err := s.ping()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("slapd exited: %s", s.stderr.String())
		case <-deadline:
			_ = s.cmd.Process.Kill()
			<-s.exited
			return fmt.Errorf("slapd does not answer: %v: %s", err, s.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// ping binds as the service account, which proves the database is open.
func (s *Server) ping() error {
	l, err := ldap.DialURL(s.URL, ldap.DialWithDialer(&net.Dialer{Timeout: time.Second}))
	if err != nil {
		return err
	}
	defer l.Close()
	l.SetTimeout(5 * time.Second)
	return l.Bind(s.BindDN, s.BindPassword)
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}
