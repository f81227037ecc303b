package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

func (c *cli) idpCmd() *cobra.Command {
	create := groupCmd("create", "Add an upstream identity provider users can sign in with",
		c.idpCreateWebCmd(model.IdPOIDC), c.idpCreateWebCmd(model.IdPOAuth2),
		c.idpCreateDirectoryCmd(model.IdPLDAP), c.idpCreateDirectoryCmd(model.IdPAD))
	return groupCmd("idp", "Manage upstream identity providers (OpenID Connect, OAuth 2.0, LDAP, Active Directory)",
		create, c.idpListCmd(), c.idpEnableCmd(true), c.idpEnableCmd(false), c.idpDeleteCmd())
}

// openIdP opens the database and the idp service on it, which is what the
// idp commands need: management and sealing, no connector (the CLI never
// calls a provider), and the function that closes the database.
func (c *cli) openIdP(ctx context.Context, publicURL string) (*idp.Service, func() error, error) {
	sealer, err := c.sealer()
	if err != nil {
		return nil, nil, err
	}
	st, err := c.existingStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	return &idp.Service{Store: st, Users: userService(st), Sealer: sealer, Tokens: token.NewSource(rand.Reader),
		Rand: rand.Reader, Now: time.Now, PublicURL: strings.TrimSuffix(publicURL, "/")}, st.Close, nil
}

// idpJSON is a provider as the CLI prints it: one connection, never its
// secret.
type idpJSON struct {
	ID           string           `json:"id"`
	Name         string           `json:"name"`
	Type         string           `json:"type"`
	ConnectionID string           `json:"connection_id"`
	Identifier   string           `json:"identifier"`
	DisplayName  string           `json:"display_name"`
	RedirectURI  string           `json:"redirect_uri,omitempty"`
	LoginOnly    bool             `json:"login_only"`
	HasSecret    bool             `json:"has_secret"`
	Fields       model.ConnFields `json:"fields"`
	Apps         []string         `json:"apps"`
	CreatedAt    time.Time        `json:"created_at"`
}

func newIdpJSON(s *idp.Service, e *model.ExtIdp, conn *model.ExtIdpConn, apps []string) idpJSON {
	j := idpJSON{ID: e.ID, Name: e.Name, Type: e.Type, ConnectionID: conn.ID, Identifier: conn.Identifier,
		DisplayName: conn.DisplayName, LoginOnly: conn.LoginOnly, HasSecret: conn.SealedSecret != nil,
		Fields: conn.Fields, Apps: nonNil(apps), CreatedAt: e.CreatedAt.UTC()}
	if model.IdPWeb(e.Type) {
		j.RedirectURI = s.RedirectURI(conn)
	}
	return j
}

// idpCommon are the flags every kind of provider takes.
type idpCommon struct {
	name, identifier, publicURL string
	loginOnly, secretStdin      bool
	mapping                     []string
	asJSON                      bool
}

func (o *idpCommon) flags(f *pflag.FlagSet, secretFlag, secretWhat string) {
	f.StringVar(&o.name, "name", "", "name shown on the sign-in button (required)")
	f.StringVar(&o.identifier, "identifier", "", "connection identifier in URLs, [a-z0-9-] (default: from the name)")
	f.BoolVar(&o.loginOnly, "login-only", false, "sign in existing linked accounts only; create no account")
	f.StringArrayVar(&o.mapping, "map", nil,
		"profile field=upstream claim or attribute, such as username=login (repeatable; fields: sub, email, email_verified, phone, name, username, picture)")
	f.BoolVar(&o.secretStdin, secretFlag, false, "read the "+secretWhat+" from the first line of standard input")
	envStringVar(f, &o.publicURL, "public-url", "GENAUTH_PUBLIC_URL", "http://localhost:8080",
		"the server's public URL, as serve has it: the redirect URI to register upstream is built from it")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON object")
}

// mappingOf parses --map values.
func mappingOf(list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("--map %q must be field=claim, such as username=login", kv)
		}
		m[k] = v
	}
	return m, nil
}

// create stores the provider and its connection, and prints them. The
// provider is removed again when its connection is refused, so that a typo
// leaves nothing behind.
func (c *cli) idpCreate(ctx context.Context, typ string, o *idpCommon, f model.ConnFields, preset string, secretWhat string) error {
	if strings.TrimSpace(o.name) == "" {
		return errors.New("--name is required")
	}
	var err error
	if f.Mapping, err = mappingOf(o.mapping); err != nil {
		return err
	}
	var secret *string
	if o.secretStdin {
		s, err := readSecret(c.stdin, secretWhat)
		if err != nil {
			return err
		}
		secret = &s
	}
	pub, err := parsePublicURL(o.publicURL)
	if err != nil {
		return err
	}
	s, closeDB, err := c.openIdP(ctx, pub)
	if err != nil {
		return err
	}
	defer closeDB()
	e, err := s.CreateExtIdp(ctx, o.name, typ, "")
	if err != nil {
		return err
	}
	conn, err := s.CreateConn(ctx, idp.ConnParams{ExtIdpID: e.ID, Identifier: o.identifier, DisplayName: o.name,
		LoginOnly: o.loginOnly, Fields: f, Secret: secret, Preset: preset})
	if err != nil {
		if derr := s.DeleteExtIdp(ctx, e.ID); derr != nil {
			return errors.Join(err, derr)
		}
		if errors.Is(err, model.ErrConflict) {
			return fmt.Errorf("the identifier %q is taken: choose another with --identifier", o.identifier)
		}
		return err
	}
	j := newIdpJSON(s, e, conn, nil)
	if o.asJSON {
		return writeJSON(c.stdout, j)
	}
	fmt.Fprintf(c.stdout, "Created %s provider %q.\nid:         %s\nidentifier: %s\n", typ, e.Name, e.ID, conn.Identifier)
	if j.RedirectURI != "" {
		fmt.Fprintf(c.stdout, "Register this redirect URI at the provider: %s\n", j.RedirectURI)
	}
	fmt.Fprintf(c.stdout, "Enable it for an application: genauth idp enable %s --app APP_ID\n", e.ID)
	return nil
}

func (c *cli) idpCreateWebCmd(typ string) *cobra.Command {
	var (
		o      idpCommon
		f      model.ConnFields
		preset string
	)
	use, short, example := "oidc --name NAME --issuer URL --client-id ID --client-secret-stdin [flags]",
		"Add an OpenID Connect provider, found by its issuer's discovery document",
		`  printf '%s\n' "$SECRET" | genauth idp create oidc --name "Corp SSO" --issuer https://sso.example.com \
    --client-id genauth --client-secret-stdin --json`
	if typ == model.IdPOAuth2 {
		use, short, example = "oauth2 --name NAME (--preset github | --authorization-url URL --token-url URL --userinfo-url URL) --client-id ID --client-secret-stdin [flags]",
			"Add an OAuth 2.0 provider without OpenID Connect (GitHub and most social providers)",
			`  printf '%s\n' "$SECRET" | genauth idp create oauth2 --name GitHub --preset github \
    --client-id Iv1.0123 --client-secret-stdin --json`
	}
	cmd := &cobra.Command{
		Use: use, Short: short, Example: example, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.idpCreate(cmd.Context(), typ, &o, f, preset, "client secret")
		},
	}
	fs := cmd.Flags()
	o.flags(fs, "client-secret-stdin", "client secret")
	fs.StringVar(&f.ClientID, "client-id", "", "the client id registered at the provider (required)")
	fs.StringArrayVar(&f.Scopes, "scope", nil, "scope to ask for (repeatable; OpenID Connect default: openid profile email)")
	if typ == model.IdPOIDC {
		fs.StringVar(&f.Issuer, "issuer", "", "the provider's issuer URL (required)")
	} else {
		fs.StringVar(&preset, "preset", "", "fill the URLs, scopes and mapping of a known provider: "+strings.Join(idp.Presets(), ", "))
		fs.StringVar(&f.AuthorizationURL, "authorization-url", "", "the provider's authorization endpoint")
		fs.StringVar(&f.TokenURL, "token-url", "", "the provider's token endpoint")
		fs.StringVar(&f.UserInfoURL, "userinfo-url", "", "where the signed-in user's profile is read, as JSON")
	}
	fs.BoolVar(&f.TrustEmail, "trust-email", false, "count the provider's email as verified even without an email_verified claim")
	return cmd
}

func (c *cli) idpCreateDirectoryCmd(typ string) *cobra.Command {
	var (
		o      idpCommon
		f      model.ConnFields
		caFile string
		tmo    time.Duration
	)
	name, filter := "LDAP directory", "(uid=%s)"
	if typ == model.IdPAD {
		name, filter = "Active Directory domain", "(sAMAccountName=%s)"
	}
	cmd := &cobra.Command{
		Use:   typ + " --name NAME --url ldap://HOST:PORT --base-dn DN [--bind-dn DN --bind-password-stdin] [flags]",
		Short: "Add an " + name + ": users sign in with its username and password",
		Example: `  printf '%s\n' "$BIND_PASSWORD" | genauth idp create ` + typ + ` --name Corp --url ldaps://ldap.example.com:636 \
    --bind-dn cn=reader,dc=example,dc=com --bind-password-stdin --base-dn ou=people,dc=example,dc=com --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if caFile != "" {
				pem, err := os.ReadFile(caFile)
				if err != nil {
					return fmt.Errorf("--ca-file: %w", err)
				}
				f.CACert = string(pem)
			}
			if tmo%time.Second != 0 {
				return fmt.Errorf("--timeout %s must be a whole number of seconds", tmo)
			}
			f.TimeoutSeconds = int(tmo / time.Second)
			return c.idpCreate(cmd.Context(), typ, &o, f, "", "bind password")
		},
	}
	fs := cmd.Flags()
	o.flags(fs, "bind-password-stdin", "bind password")
	fs.StringVar(&f.URL, "url", "", "ldap://HOST:PORT or ldaps://HOST:PORT (required)")
	fs.StringVar(&f.BindDN, "bind-dn", "", "the account that searches for users (empty: anonymous search)")
	fs.StringVar(&f.BaseDN, "base-dn", "", "where users are searched (required)")
	fs.StringVar(&f.UserFilter, "user-filter", filter, "search filter; %s is the login, escaped")
	fs.BoolVar(&f.StartTLS, "start-tls", false, "upgrade ldap:// with StartTLS before binding")
	fs.StringVar(&caFile, "ca-file", "", "PEM file of the CA certificates to trust for LDAPS and StartTLS (default: the system's)")
	fs.Var(&durationValue{&tmo}, "timeout", "limit for each directory operation, such as 5s (default 10s)")
	fs.BoolVar(&f.TrustEmail, "trust-email", false, "count the directory's mail attribute as a verified email")
	return cmd
}

// readSecret reads a secret from the first line of standard input.
func readSecret(r io.Reader, what string) (string, error) {
	s, err := readPassword(r)
	if err != nil {
		return "", fmt.Errorf("reading the %s: %w", what, err)
	}
	return s, nil
}

func (c *cli) idpListCmd() *cobra.Command {
	var (
		asJSON    bool
		publicURL string
	)
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the upstream identity providers, their connections and the applications they are enabled for",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			pub, err := parsePublicURL(publicURL)
			if err != nil {
				return err
			}
			s, closeDB, err := c.openIdP(ctx, pub)
			if err != nil {
				return err
			}
			defer closeDB()
			list, err := idpList(ctx, s)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, list)
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tTYPE\tIDENTIFIER\tNAME\tAPPS")
			for _, j := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.ID, j.Type, j.Identifier, j.Name, strings.Join(j.Apps, ","))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	envStringVar(cmd.Flags(), &publicURL, "public-url", "GENAUTH_PUBLIC_URL", "http://localhost:8080",
		"the server's public URL, for the redirect URIs shown")
	return cmd
}

// idpList is every connection with its provider, oldest first.
func idpList(ctx context.Context, s *idp.Service) ([]idpJSON, error) {
	list := []idpJSON{}
	providers, err := s.ExtIdps(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range providers {
		_, conns, err := s.ExtIdp(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		for _, conn := range conns {
			apps, err := s.ConnApps(ctx, conn.ID)
			if err != nil {
				return nil, err
			}
			list = append(list, newIdpJSON(s, e, conn, apps))
		}
	}
	return list, nil
}

// connectionsOf are the connections id names: a provider's (all of them),
// a connection's id or its identifier.
func connectionsOf(ctx context.Context, s *idp.Service, id string) ([]*model.ExtIdpConn, error) {
	if _, conns, err := s.ExtIdp(ctx, id); err == nil {
		return conns, nil
	} else if !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	conn, err := s.Conn(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		conn, err = s.ConnByIdentifier(ctx, id)
	}
	if errors.Is(err, model.ErrNotFound) {
		return nil, fmt.Errorf("no identity provider or connection has the id or identifier %q (see genauth idp list)", id)
	}
	if err != nil {
		return nil, err
	}
	return []*model.ExtIdpConn{conn}, nil
}

func (c *cli) idpEnableCmd(enable bool) *cobra.Command {
	var appID string
	verb, short := "enable", "Show a provider's sign-in button to an application's users"
	if !enable {
		verb, short = "disable", "Stop offering a provider to an application's users"
	}
	cmd := &cobra.Command{
		Use:   verb + " ID --app APP_ID",
		Short: short + " (ID: a provider's id, a connection's id or its identifier)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if appID == "" {
				return errors.New("--app is required")
			}
			ctx := cmd.Context()
			s, closeDB, err := c.openIdP(ctx, "")
			if err != nil {
				return err
			}
			defer closeDB()
			conns, err := connectionsOf(ctx, s, args[0])
			if err != nil {
				return err
			}
			for _, conn := range conns {
				err := s.SetEnabled(ctx, conn.ID, appID, enable)
				if errors.Is(err, model.ErrNotFound) {
					return fmt.Errorf("no application has the id %q", appID)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "%sd %s for %s\n", verb, conn.Identifier, appID)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&appID, "app", "", "the application's app_id (required)")
	return cmd
}

func (c *cli) idpDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Delete a provider with its connections; its users keep their accounts but lose the link",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, closeDB, err := c.openIdP(ctx, "")
			if err != nil {
				return err
			}
			defer closeDB()
			err = s.DeleteExtIdp(ctx, args[0])
			if errors.Is(err, model.ErrNotFound) {
				return fmt.Errorf("no identity provider has the id %q (see genauth idp list)", args[0])
			}
			return err
		},
	}
}
