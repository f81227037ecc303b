package idp

import (
	"context"
	"crypto/x509"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// Web is an OIDC or OAuth 2.0 connector (oidcconn.Connector).
type Web interface {
	// AuthCodeURL is where to send the browser: code flow with PKCE S256
	// (verifier given), state, and for OIDC the nonce. Discovery (OIDC)
	// happens here, cached per issuer for a while.
	AuthCodeURL(ctx context.Context, c *model.ExtIdpConn, redirectURI, state, nonce, verifier string) (string, error)
	// Exchange redeems code (with the client secret and verifier), verifies
	// the id token (OIDC: signature, issuer, audience, expiry, nonce) or
	// calls the userinfo URL (OAuth 2.0), and maps the claims by
	// c.Fields.Mapping. Errors wrap model.ErrUpstreamUnavailable or
	// model.ErrUpstreamRefused.
	Exchange(ctx context.Context, c *model.ExtIdpConn, secret, redirectURI, code, verifier, nonce string) (*model.UpstreamProfile, *model.UpstreamTokens, error)
}

// Directory is an LDAP/AD connector (ldapconn.Directory).
type Directory interface {
	// Authenticate binds as c.Fields.BindDN with bindPassword, searches
	// c.Fields.BaseDN with c.Fields.UserFilter (login escaped with
	// ldap.EscapeFilter), needs exactly one entry, binds as it with
	// password (an empty password is refused before any bind:
	// unauthenticated binds), maps attributes. Unknown user, several
	// matches and wrong password alike: model.ErrBadCredentials. Network,
	// TLS, timeout, a refused service bind: model.ErrUpstreamUnavailable
	// (wrapped with detail).
	Authenticate(ctx context.Context, c *model.ExtIdpConn, bindPassword, login, password string) (*model.UpstreamProfile, error)
	// Check connects and binds as Authenticate does and reads the base DN,
	// signing nobody in. Errors wrap model.ErrUpstreamUnavailable.
	Check(ctx context.Context, c *model.ExtIdpConn, bindPassword string) error
}

// Sealer seals connection secrets, upstream tokens, flows and link
// tickets under the server key (secret.Sealer).
type Sealer interface {
	Seal(purpose string, plaintext []byte) ([]byte, error)
	Open(purpose string, sealed []byte) ([]byte, error)
}

// The secret.Sealer purposes of what this package seals.
const (
	secretPurpose = "idp-secret"
	tokensPurpose = "idp-tokens"
	flowPurpose   = "idp-flow"
	linkPurpose   = "idp-link"
)

// Service manages upstream identity providers and signs users in with them.
type Service struct {
	Store Store
	// Users holds the validation rules of the accounts created at a first
	// sign-in.
	Users  *users.Service
	Sealer Sealer
	Tokens *token.Source // ids
	Rand   io.Reader     // state, nonce, verifier
	Now    func() time.Time
	Audit  *audit.Recorder // nil: none
	Web    Web
	// LDAP is the LDAP and Active Directory connector, which the
	// Directory method signs in with.
	LDAP      Directory
	PublicURL string // no trailing slash
}

// Limits of the management input.
const (
	maxNameLen   = 128
	maxURLLen    = 2048
	maxSecretLen = 4096
	maxTimeout   = 600 // seconds
)

var identifierPattern = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", model.ErrInvalidInput, fmt.Sprintf(format, args...))
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

func (s *Service) record(ctx context.Context, e model.AuditEvent) {
	if s.Audit != nil {
		s.Audit.Record(ctx, e)
	}
}

// CreateExtIdp stores a new ExtIdp of type typ (model.IdPOIDC, IdPOAuth2,
// IdPLDAP or IdPAD).
func (s *Service) CreateExtIdp(ctx context.Context, name, typ, logo string) (*model.ExtIdp, error) {
	switch typ {
	case model.IdPOIDC, model.IdPOAuth2, model.IdPLDAP, model.IdPAD:
	default:
		return nil, invalid("the type must be oidc, oauth2, ldap or ad")
	}
	p := &model.ExtIdp{ID: s.Tokens.ID(), Type: typ, CreatedAt: s.now()}
	if err := setNameAndLogo(p, name, logo); err != nil {
		return nil, err
	}
	if err := s.Store.CreateExtIdp(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// UpdateExtIdp renames the ExtIdp id and sets its logo.
func (s *Service) UpdateExtIdp(ctx context.Context, id, name, logo string) (*model.ExtIdp, error) {
	p, err := s.Store.GetExtIdp(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := setNameAndLogo(p, name, logo); err != nil {
		return nil, err
	}
	if err := s.Store.UpdateExtIdp(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

func setNameAndLogo(p *model.ExtIdp, name, logo string) error {
	var err error
	if p.Name, err = text("name", name, true); err != nil {
		return err
	}
	p.Logo = strings.TrimSpace(logo)
	return checkURL("logo", p.Logo, false, "https", "http")
}

// text is v trimmed, checked to be at most maxNameLen characters of valid
// UTF-8 and, when required, not empty.
func text(field, v string, required bool) (string, error) {
	v = strings.TrimSpace(v)
	if required && v == "" {
		return "", invalid("the %s is required", field)
	}
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxNameLen {
		return "", invalid("the %s must be text of at most %d characters", field, maxNameLen)
	}
	return v, nil
}

// checkURL checks that v is an absolute URL with one of schemes and a host
// (or empty, unless required).
func checkURL(field, v string, required bool, schemes ...string) error {
	if v == "" {
		if required {
			return invalid("%s is required", field)
		}
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || len(v) > maxURLLen || !slices.Contains(schemes, u.Scheme) || u.Host == "" || u.User != nil {
		return invalid("%s must be a %s:// URL", field, strings.Join(schemes, ":// or "))
	}
	return nil
}

// DeleteExtIdp deletes the ExtIdp with its connections, their enablements
// and the identities linked at it.
func (s *Service) DeleteExtIdp(ctx context.Context, id string) error {
	return s.Store.DeleteExtIdp(ctx, id)
}

// ExtIdp returns the ExtIdp id and its connections, oldest first.
func (s *Service) ExtIdp(ctx context.Context, id string) (*model.ExtIdp, []*model.ExtIdpConn, error) {
	p, err := s.Store.GetExtIdp(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	conns, err := s.Store.ListExtIdpConns(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return p, conns, nil
}

// ExtIdps returns every ExtIdp, oldest first.
func (s *Service) ExtIdps(ctx context.Context) ([]*model.ExtIdp, error) {
	return s.Store.ListExtIdps(ctx)
}

// ConnParams describe a connection to create or the new state of one.
type ConnParams struct {
	// ExtIdpID is the ExtIdp a new connection belongs to (ignored by
	// UpdateConn).
	ExtIdpID string
	// Identifier names the connection in URLs; "" derives it from the
	// display name (CreateConn) or keeps it (UpdateConn).
	Identifier string
	// DisplayName is shown on the login page; "" is the ExtIdp's name
	// (CreateConn) or keeps it (UpdateConn).
	DisplayName string
	Logo        string
	LoginOnly   bool
	Fields      model.ConnFields
	Secret      *string // nil: keep (update) / none (create); "": none; sealed with purpose "idp-secret"
	Preset      string  // "github", "google": fills unset Fields from presets/<name>.json
}

// CreateConn validates p and stores a new connection of the ExtIdp
// p.ExtIdpID. Errors: model.ErrNotFound (no such ExtIdp),
// model.ErrInvalidInput, model.ErrConflict (a taken identifier).
func (s *Service) CreateConn(ctx context.Context, p ConnParams) (*model.ExtIdpConn, error) {
	e, err := s.Store.GetExtIdp(ctx, p.ExtIdpID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &model.ExtIdpConn{ID: s.Tokens.ID(), ExtIdpID: e.ID, Type: e.Type, CreatedAt: now, UpdatedAt: now}
	if err := s.apply(c, e, p); err != nil {
		return nil, err
	}
	if err := s.Store.CreateExtIdpConn(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateConn validates p and makes it the connection id's state: all of
// it but its ExtIdp, and its identifier, display name and secret when p
// leaves them unset. Errors as CreateConn's.
func (s *Service) UpdateConn(ctx context.Context, id string, p ConnParams) (*model.ExtIdpConn, error) {
	c, err := s.Store.GetExtIdpConn(ctx, id)
	if err != nil {
		return nil, err
	}
	e, err := s.Store.GetExtIdp(ctx, c.ExtIdpID)
	if err != nil {
		return nil, err
	}
	if err := s.apply(c, e, p); err != nil {
		return nil, err
	}
	c.UpdatedAt = s.now()
	if err := s.Store.UpdateExtIdpConn(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// apply validates p and sets it on c, a connection of e.
func (s *Service) apply(c *model.ExtIdpConn, e *model.ExtIdp, p ConnParams) error {
	name, err := text("display name", p.DisplayName, false)
	if err != nil {
		return err
	}
	switch {
	case name != "":
		c.DisplayName = name
	case c.DisplayName == "":
		c.DisplayName = e.Name
	}
	switch id := strings.TrimSpace(p.Identifier); {
	case id != "":
		c.Identifier = id
	case c.Identifier == "":
		c.Identifier = deriveIdentifier(c.DisplayName)
	}
	if !identifierPattern.MatchString(c.Identifier) {
		return invalid("the identifier must be 1 to 64 of a-z, 0-9 and '-'")
	}
	c.Logo = strings.TrimSpace(p.Logo)
	if err := checkURL("logo", c.Logo, false, "https", "http"); err != nil {
		return err
	}
	c.LoginOnly = p.LoginOnly
	f := p.Fields
	f.Scopes, f.Mapping = slices.Clone(f.Scopes), maps.Clone(f.Mapping)
	if p.Preset != "" {
		if err := fillPreset(&f, e.Type, p.Preset); err != nil {
			return err
		}
	}
	hasSecret := c.SealedSecret != nil
	if p.Secret != nil {
		hasSecret = *p.Secret != ""
		if len(*p.Secret) > maxSecretLen {
			return invalid("the secret must have at most %d bytes", maxSecretLen)
		}
	}
	if err := checkFields(e.Type, &f, hasSecret); err != nil {
		return err
	}
	c.Fields = f
	if p.Secret != nil {
		c.SealedSecret = nil
		if *p.Secret != "" {
			if c.SealedSecret, err = s.Sealer.Seal(secretPurpose, []byte(*p.Secret)); err != nil {
				return err
			}
		}
	}
	return nil
}

// deriveIdentifier is name's letters a-z and digits, lower-cased, each run
// of anything else one '-', at most 64 characters.
func deriveIdentifier(name string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if gap && b.Len() > 0 {
				b.WriteByte('-')
			}
			gap = false
			b.WriteRune(r)
			continue
		}
		gap = true
	}
	id := b.String()
	if len(id) > 64 {
		id = strings.TrimRight(id[:64], "-")
	}
	return id
}

// checkFields validates f for a connection of type typ, filling the
// type's defaults; hasSecret says whether it has a client secret or bind
// password.
func checkFields(typ string, f *model.ConnFields, hasSecret bool) error {
	for k, v := range f.Mapping {
		switch k {
		case model.ProfileSubject, model.ProfileEmail, model.ProfileEmailVerified, model.ProfilePhone,
			model.ProfileName, model.ProfileUsername, model.ProfilePicture:
		default:
			return invalid("the mapping names an unknown profile field %q", k)
		}
		if strings.TrimSpace(v) == "" {
			return invalid("the mapping of %s is empty", k)
		}
	}
	switch typ {
	case model.IdPOIDC:
		if err := checkURL("the issuer", f.Issuer, true, "https", "http"); err != nil {
			return err
		}
		switch {
		case len(f.Scopes) == 0:
			f.Scopes = []string{"openid", "profile", "email"}
		case !slices.Contains(f.Scopes, "openid"):
			f.Scopes = append([]string{"openid"}, f.Scopes...)
		}
		return checkClientID(f)
	case model.IdPOAuth2:
		for _, u := range []struct{ field, v string }{
			{"the authorization URL", f.AuthorizationURL}, {"the token URL", f.TokenURL}, {"the userinfo URL", f.UserInfoURL},
		} {
			if err := checkURL(u.field, u.v, true, "https", "http"); err != nil {
				return err
			}
		}
		return checkClientID(f)
	}
	// LDAP and Active Directory.
	if err := checkURL("the directory URL", f.URL, true, "ldap", "ldaps"); err != nil {
		return err
	}
	if strings.HasPrefix(f.URL, "ldaps:") && f.StartTLS {
		return invalid("StartTLS is for ldap:// URLs; ldaps:// is TLS from the start")
	}
	if strings.TrimSpace(f.BaseDN) == "" {
		return invalid("the base DN is required")
	}
	if f.UserFilter == "" {
		f.UserFilter = "(uid=%s)"
		if typ == model.IdPAD {
			f.UserFilter = "(sAMAccountName=%s)"
		}
	}
	if strings.Count(f.UserFilter, "%s") != 1 || !strings.HasPrefix(f.UserFilter, "(") ||
		!strings.HasSuffix(f.UserFilter, ")") {
		return invalid("the user filter must be a parenthesised LDAP filter with %%s, where the login goes, once")
	}
	// A bind DN with no password is an unauthenticated bind, which
	// directories accept as anonymous: a search as anyone must be asked
	// for by leaving the bind DN empty.
	switch {
	case f.BindDN != "" && !hasSecret:
		return invalid("a bind DN needs its bind password; leave both empty to search anonymously")
	case f.BindDN == "" && hasSecret:
		return invalid("a bind password needs its bind DN")
	}
	if f.CACert != "" && !x509.NewCertPool().AppendCertsFromPEM([]byte(f.CACert)) {
		return invalid("the CA certificates must be PEM")
	}
	if f.TimeoutSeconds < 0 || f.TimeoutSeconds > maxTimeout {
		return invalid("the timeout must be 0 (the default) to %d seconds", maxTimeout)
	}
	return nil
}

func checkClientID(f *model.ConnFields) error {
	if f.ClientID = strings.TrimSpace(f.ClientID); f.ClientID == "" {
		return invalid("the client id is required")
	}
	return nil
}

// presetFiles are the providers' defaults, as data.
//
//go:embed presets/*.json
var presetFiles embed.FS

// preset is a presets/<name>.json file: the kind of connection it is for
// and the fields it fills.
type preset struct {
	Type   string           `json:"type"`
	Fields model.ConnFields `json:"fields"`
}

// Presets names the presets, sorted.
func Presets() []string {
	entries, err := presetFiles.ReadDir("presets")
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = strings.TrimSuffix(e.Name(), ".json")
	}
	return names
}

// PresetType is the kind of provider (model.IdPOIDC, IdPOAuth2) the
// preset name is for; model.ErrInvalidInput for an unknown preset.
func PresetType(name string) (string, error) {
	p, err := loadPreset(name)
	if err != nil {
		return "", err
	}
	return p.Type, nil
}

func loadPreset(name string) (*preset, error) {
	if !slices.Contains(Presets(), name) {
		return nil, invalid("unknown preset %q (known: %s)", name, strings.Join(Presets(), ", "))
	}
	b, err := presetFiles.ReadFile("presets/" + name + ".json")
	if err != nil {
		return nil, err
	}
	var p preset
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("idp: preset %s: %w", name, err)
	}
	return &p, nil
}

// fillPreset sets the web fields f leaves unset from the preset name, made
// for connections of type typ, and names it in f.Preset.
func fillPreset(f *model.ConnFields, typ, name string) error {
	p, err := loadPreset(name)
	if err != nil {
		return err
	}
	if p.Type != typ {
		return invalid("the %s preset is for %s providers, not %s", name, p.Type, typ)
	}
	for _, x := range []struct {
		dst *string
		v   string
	}{
		{&f.Issuer, p.Fields.Issuer}, {&f.AuthorizationURL, p.Fields.AuthorizationURL},
		{&f.TokenURL, p.Fields.TokenURL}, {&f.UserInfoURL, p.Fields.UserInfoURL},
	} {
		if *x.dst == "" {
			*x.dst = x.v
		}
	}
	if len(f.Scopes) == 0 {
		f.Scopes = p.Fields.Scopes
	}
	for k, v := range p.Fields.Mapping {
		if _, ok := f.Mapping[k]; !ok {
			if f.Mapping == nil {
				f.Mapping = map[string]string{}
			}
			f.Mapping[k] = v
		}
	}
	f.Preset = name
	return nil
}

// DeleteConn deletes the connection id and its enablements; the
// identities signed in through it stay with their ExtIdp.
func (s *Service) DeleteConn(ctx context.Context, id string) error {
	return s.Store.DeleteExtIdpConn(ctx, id)
}

// Conn returns the connection id.
func (s *Service) Conn(ctx context.Context, id string) (*model.ExtIdpConn, error) {
	return s.Store.GetExtIdpConn(ctx, id)
}

// ConnByIdentifier returns the connection with this identifier.
func (s *Service) ConnByIdentifier(ctx context.Context, identifier string) (*model.ExtIdpConn, error) {
	return s.Store.GetExtIdpConnByIdentifier(ctx, identifier)
}

// SetEnabled enables or disables the connection connID for the
// application appID; an unknown application or connection gives
// model.ErrNotFound.
func (s *Service) SetEnabled(ctx context.Context, connID, appID string, enabled bool) error {
	return s.Store.SetConnEnabled(ctx, connID, appID, enabled)
}

// Enabled returns the connections the application appID enables, in the
// order they were created (the login page's).
func (s *Service) Enabled(ctx context.Context, appID string) ([]*model.ExtIdpConn, error) {
	return s.Store.ListEnabledConns(ctx, appID)
}

// ConnApps returns the ids of the applications enabling connID, sorted.
func (s *Service) ConnApps(ctx context.Context, connID string) ([]string, error) {
	return s.Store.ListConnApps(ctx, connID)
}

// RedirectURI is the callback to register at the upstream for c.
func (s *Service) RedirectURI(c *model.ExtIdpConn) string {
	return s.PublicURL + "/connections/" + c.Identifier + "/callback"
}

// openSecret is c's client secret or bind password; "" when it has none.
func (s *Service) openSecret(c *model.ExtIdpConn) (string, error) {
	if c.SealedSecret == nil {
		return "", nil
	}
	b, err := s.Sealer.Open(secretPurpose, c.SealedSecret)
	if err != nil {
		return "", fmt.Errorf("idp: opening the secret of connection %s: %w", c.Identifier, err)
	}
	return string(b), nil
}

// isWeb reports whether typ signs in through the browser (OIDC, OAuth 2.0).
