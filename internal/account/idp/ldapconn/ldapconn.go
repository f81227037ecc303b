package ldapconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/opengenauth/genauth/internal/model"
)

// DefaultTimeout bounds dialing and each exchange with a directory when
// neither the connection nor the Directory says otherwise.
const DefaultTimeout = 10 * time.Second

// Directory authenticates users against the directories connections name.
// The zero value is ready to use; it keeps no connection between calls.
type Directory struct {
	// Timeout bounds dialing and each operation (TLS handshake, StartTLS,
	// bind, search) of connections that set no TimeoutSeconds; 0:
	// DefaultTimeout.
	Timeout time.Duration
}

// Authenticate binds as c.Fields.BindDN with bindPassword (no bind DN: the
// search is anonymous), searches c.Fields.BaseDN with the connection's
// filter for login, binds as the one entry found with password and maps
// its attributes. An unknown login, several matching entries and a wrong
// password are model.ErrBadCredentials; anything else (network, TLS,
// timeout, a refused service bind, a connection that does not make sense)
// wraps model.ErrUpstreamUnavailable with the detail for the log. Neither
// password ever appears in an error.
func (d *Directory) Authenticate(ctx context.Context, c *model.ExtIdpConn, bindPassword, login, password string) (*model.UpstreamProfile, error) {
	// A bind with a DN and an empty password is an unauthenticated bind,
	// which directories accept as anonymous (RFC 4513 section 5.1.2): it
	// must never reach one.
	if login == "" || password == "" {
		return nil, model.ErrBadCredentials
	}
	cfg, s, err := d.open(ctx, c, bindPassword)
	if err != nil {
		return nil, err
	}
	defer s.l.Close()
	req := ldap.NewSearchRequest(c.Fields.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		2, cfg.timeLimit(), false, cfg.filter(login), cfg.attributes(), nil)
	var res *ldap.SearchResult
	err = s.do(func() (err error) {
		res, err = s.l.Search(req)
		return err
	})
	// Two entries are enough to refuse: the directory stops there with
	// sizeLimitExceeded.
	if res != nil && len(res.Entries) > 1 {
		return nil, model.ErrBadCredentials
	}
	if err != nil {
		return nil, cfg.unavailable("search "+c.Fields.BaseDN, err)
	}
	if len(res.Entries) == 0 {
		return nil, model.ErrBadCredentials
	}
	entry := res.Entries[0]
	err = s.do(func() error { return s.l.Bind(entry.DN, password) })
	if ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
		return nil, model.ErrBadCredentials
	}
	if err != nil {
		return nil, cfg.unavailable("bind as "+entry.DN, err)
	}
	p := cfg.profile(entry)
	if p.Subject == "" {
		return nil, cfg.unavailable("map "+entry.DN, fmt.Errorf("no %s attribute for the subject", cfg.mapping[model.ProfileSubject]))
	}
	return p, nil
}

// config is a connection's settings, checked and with defaults applied.
type config struct {
	url      *url.URL
	ldaps    bool
	startTLS bool
	tls      *tls.Config
	timeout  time.Duration
	// userFilter is the connection's filter, split around its %s.
	filterPrefix, filterSuffix string
	mapping                    map[string]string // profile field → attribute; no entry: not read
	trustEmail                 bool
}

// open connects to c's directory and binds as its service account (none:
// the searches are anonymous). Errors wrap model.ErrUpstreamUnavailable.
func (d *Directory) open(ctx context.Context, c *model.ExtIdpConn, bindPassword string) (*config, *session, error) {
	cfg, err := d.configure(c)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", model.ErrUpstreamUnavailable, c.Identifier, err)
	}
	if c.Fields.BindDN != "" && bindPassword == "" {
		return nil, nil, cfg.unavailable("bind as "+c.Fields.BindDN, errors.New("the connection has no bind password"))
	}
	s, err := cfg.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	if c.Fields.BindDN != "" {
		if err := s.do(func() error { return s.l.Bind(c.Fields.BindDN, bindPassword) }); err != nil {
			s.l.Close()
			return nil, nil, cfg.unavailable("bind as "+c.Fields.BindDN, err)
		}
	}
	return cfg, s, nil
}

// Check connects to c's directory as Authenticate does, binds as its
// service account and reads the base DN, signing nobody in: what
// genauth doctor asks. Errors wrap model.ErrUpstreamUnavailable.
func (d *Directory) Check(ctx context.Context, c *model.ExtIdpConn, bindPassword string) error {
	cfg, s, err := d.open(ctx, c, bindPassword)
	if err != nil {
		return err
	}
	defer s.l.Close()
	req := ldap.NewSearchRequest(c.Fields.BaseDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		1, cfg.timeLimit(), false, "(objectClass=*)", []string{"1.1"}, nil)
	if err := s.do(func() error { _, err := s.l.Search(req); return err }); err != nil {
		return cfg.unavailable("read "+c.Fields.BaseDN, err)
	}
	return nil
}

func (d *Directory) configure(c *model.ExtIdpConn) (*config, error) {
	f := &c.Fields
	defaults, ok := defaultMappings[c.Type]
	if !ok {
		return nil, fmt.Errorf("connection type %q is neither %q nor %q", c.Type, model.IdPLDAP, model.IdPAD)
	}
	u, err := url.Parse(f.URL)
	if err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Hostname() == "" {
		return nil, fmt.Errorf("url %q is not ldap://host[:port] or ldaps://host[:port]", f.URL)
	}
	cfg := &config{
		url:        u,
		ldaps:      u.Scheme == "ldaps",
		startTLS:   u.Scheme == "ldap" && f.StartTLS,
		tls:        &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12},
		timeout:    d.Timeout,
		mapping:    map[string]string{},
		trustEmail: f.TrustEmail,
	}
	if cfg.timeout <= 0 {
		cfg.timeout = DefaultTimeout
	}
	if f.TimeoutSeconds > 0 {
		cfg.timeout = time.Duration(f.TimeoutSeconds) * time.Second
	}
	if f.CACert != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(f.CACert)) {
			return nil, errors.New("caCert holds no PEM certificate")
		}
		cfg.tls.RootCAs = pool
	}
	filter := f.UserFilter
	if filter == "" {
		filter = defaultFilters[c.Type]
	}
	var found bool
	cfg.filterPrefix, cfg.filterSuffix, found = strings.Cut(filter, "%s")
	if !found || strings.Contains(cfg.filterSuffix, "%s") {
		return nil, fmt.Errorf("userFilter %q must hold exactly one %%s", filter)
	}
	if _, err := ldap.CompileFilter(cfg.filter("x")); err != nil {
		return nil, fmt.Errorf("userFilter %q: %w", filter, err)
	}
	for field, attr := range defaults {
		cfg.mapping[field] = attr
	}
	// A key mapped to "" turns the default off.
	for field, attr := range f.Mapping {
		if _, known := profileFields[field]; !known {
			continue
		}
		if attr == "" {
			delete(cfg.mapping, field)
		} else {
			cfg.mapping[field] = attr
		}
	}
	if cfg.mapping[model.ProfileSubject] == "" {
		return nil, errors.New("the mapping names no attribute for the subject")
	}
	return cfg, nil
}

func (cfg *config) filter(login string) string {
	return cfg.filterPrefix + ldap.EscapeFilter(login) + cfg.filterSuffix
}

// timeLimit is the search's time limit for the directory, in whole seconds.
func (cfg *config) timeLimit() int {
	return int(math.Ceil(cfg.timeout.Seconds()))
}

func (cfg *config) unavailable(what string, err error) error {
	return fmt.Errorf("%w: %s: %s: %w", model.ErrUpstreamUnavailable, cfg.url.Redacted(), what, err)
}

// session is one connection to the directory.
type session struct {
	ctx     context.Context
	timeout time.Duration
	raw     net.Conn // under TLS, if any
	l       *ldap.Conn
}

// dial connects, under TLS for ldaps:// and after StartTLS when asked.
func (cfg *config) dial(ctx context.Context) (*session, error) {
	port := cfg.url.Port()
	if port == "" {
		port = ldap.DefaultLdapPort
		if cfg.ldaps {
			port = ldap.DefaultLdapsPort
		}
	}
	dialer := net.Dialer{Timeout: cfg.timeout}
	raw, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(cfg.url.Hostname(), port))
	if err != nil {
		return nil, cfg.unavailable("connect", err)
	}
	s := &session{ctx: ctx, timeout: cfg.timeout, raw: raw}
	var conn net.Conn = raw
	if cfg.ldaps {
		tc := tls.Client(raw, cfg.tls)
		if err := s.do(tc.Handshake); err != nil {
			raw.Close()
			return nil, cfg.unavailable("TLS handshake", err)
		}
		conn = tc
	}
	s.l = ldap.NewConn(conn, cfg.ldaps)
	s.l.Start()
	if cfg.startTLS {
		if err := s.do(func() error { return s.l.StartTLS(cfg.tls) }); err != nil {
			s.l.Close()
			return nil, cfg.unavailable("StartTLS", err)
		}
	}
	return s, nil
}

// longAgo is a deadline that has passed: setting it fails every read and
// write the socket is blocked in.
var longAgo = time.Unix(1, 0)

// do runs op, bounded by the timeout and the context: when either ends
// first, the socket's deadline is set in the past, which fails whatever op
// waits on; the session is then unusable.
func (s *session) do(op func() error) error {
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = s.raw.SetDeadline(longAgo) })
	err := op()
	if !stop() {
		return ctx.Err()
	}
	return err
}
