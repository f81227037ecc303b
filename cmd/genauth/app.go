package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
)

func (c *cli) appCmd() *cobra.Command {
	return groupCmd("app", "Manage applications (OAuth clients)", c.appCreateCmd(), c.appUpdateCmd(), c.appListCmd(), c.appLogoutAllCmd())
}

// appJSON is an application as the CLI prints it; the secret only exists
// right after creation.
type appJSON struct {
	AppID                   string    `json:"app_id"`
	AppSecret               string    `json:"app_secret,omitempty"`
	Name                    string    `json:"name"`
	RedirectURIs            []string  `json:"redirect_uris"`
	LogoutRedirectURIs      []string  `json:"logout_redirect_uris"`
	TokenAuthMethod         string    `json:"token_endpoint_auth_method"`
	IntrospectionAuthMethod string    `json:"introspection_endpoint_auth_method"`
	RevocationAuthMethod    string    `json:"revocation_endpoint_auth_method"`
	GrantTypes              []string  `json:"grant_types"`
	AccessTokenTTL          int64     `json:"access_token_ttl"` // seconds
	RefreshTokenTTL         int64     `json:"refresh_token_ttl"`
	IDTokenTTL              int64     `json:"id_token_ttl"`
	IDTokenAlg              string    `json:"id_token_signed_response_alg"`
	RequireConsent          bool      `json:"require_consent"`
	RotateRefreshTokens     bool      `json:"rotate_refresh_tokens"`
	RefreshGracePeriod      int64     `json:"refresh_grace_period"`
	RefreshIdleTTL          int64     `json:"refresh_idle_ttl"`
	RejectPKCEPlain         bool      `json:"reject_pkce_plain"`
	AllowedScopes           string    `json:"allowed_scopes"`
	ClaimsFormat            string    `json:"claims_format"`
	AccessTokenFormat       string    `json:"access_token_format"`
	WebOrigins              []string  `json:"web_origins"` // empty: the login callbacks' origins
	RegistrationClosed      bool      `json:"registration_closed"`
	RegistrationEmailVerify bool      `json:"registration_email_verify"`
	MFAPolicy               string    `json:"mfa_policy"`
	CreatedAt               time.Time `json:"created_at"`
}

func newAppJSON(a *model.Application, secret string) appJSON {
	return appJSON{
		AppID:                   a.ID,
		AppSecret:               secret,
		Name:                    a.Name,
		RedirectURIs:            nonNil(a.RedirectURIs),
		LogoutRedirectURIs:      nonNil(a.LogoutRedirectURIs),
		TokenAuthMethod:         a.TokenAuthMethod,
		IntrospectionAuthMethod: a.IntrospectionAuthMethod,
		RevocationAuthMethod:    a.RevocationAuthMethod,
		GrantTypes:              nonNil(a.GrantTypes),
		AccessTokenTTL:          int64(a.AccessTokenTTL / time.Second),
		RefreshTokenTTL:         int64(a.RefreshTokenTTL / time.Second),
		IDTokenTTL:              int64(a.IDTokenTTL / time.Second),
		IDTokenAlg:              a.IDTokenAlg,
		RequireConsent:          a.RequireConsent,
		RotateRefreshTokens:     a.RotateRefreshTokens,
		RefreshGracePeriod:      int64(a.RefreshGracePeriod / time.Second),
		RefreshIdleTTL:          int64(a.RefreshIdleTTL / time.Second),
		RejectPKCEPlain:         a.RejectPKCEPlain,
		AllowedScopes:           a.AllowedScopes,
		ClaimsFormat:            a.ClaimsFormat,
		AccessTokenFormat:       a.AccessTokenFormat,
		WebOrigins:              nonNil(a.WebOrigins),
		RegistrationClosed:      a.RegistrationClosed,
		RegistrationEmailVerify: a.RegistrationEmailVerify,
		MFAPolicy:               a.MFAPolicy,
		CreatedAt:               a.CreatedAt.UTC(),
	}
}

// nonNil makes empty lists print as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (c *cli) appCreateCmd() *cobra.Command {
	var (
		p      apps.CreateParams
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "create --name NAME --redirect-uri URL [flags]",
		Short: "Create an application and print its app_id and app_secret (none for a public client)",
		Example: `  genauth app create --name "My app" --redirect-uri http://localhost:3000/callback \
    --logout-uri http://localhost:3000/ --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkPolicy("--mfa-policy", p.MFAPolicy); err != nil {
				return err
			}
			st, err := c.existingStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			app, secret, err := appService(st).Create(cmd.Context(), p)
			if errors.Is(err, model.ErrConflict) {
				return errors.New("an application with this id already exists; try again")
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, newAppJSON(app, secret))
			}
			if secret == "" {
				fmt.Fprintf(c.stdout, "Created the public application %q (no secret: every auth method is none).\napp_id:     %s\n",
					app.Name, app.ID)
				return nil
			}
			fmt.Fprintf(c.stdout, "Created application %q. The secret is shown only this once.\napp_id:     %s\napp_secret: %s\n",
				app.Name, app.ID, secret)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Name, "name", "", "application name (required)")
	f.StringArrayVar(&p.RedirectURIs, "redirect-uri", nil, "login callback URL, matched exactly (repeatable)")
	f.StringArrayVar(&p.LogoutRedirectURIs, "logout-uri", nil, "logout callback URL (repeatable)")
	f.StringVar(&p.TokenAuthMethod, "token-auth-method", model.AuthClientSecretPost,
		"client auth at the token endpoint: client_secret_post, client_secret_basic or none (a public client: no secret when every endpoint uses none)")
	f.StringVar(&p.IntrospectionAuthMethod, "introspection-auth-method", "",
		"client auth at the introspection endpoint: client_secret_post, client_secret_basic or none (default: the token endpoint's)")
	f.StringVar(&p.RevocationAuthMethod, "revocation-auth-method", "",
		"client auth at the revocation endpoint: client_secret_post, client_secret_basic or none (default: the token endpoint's)")
	f.StringSliceVar(&p.GrantTypes, "grant", []string{model.GrantAuthorizationCode, model.GrantRefreshToken},
		"enabled grant: authorization_code, implicit, refresh_token, client_credentials (repeatable or comma-separated)")
	f.Var(&ttlValue{d: &p.AccessTokenTTL, def: model.DefaultAccessTokenTTL}, "access-token-ttl",
		"access token lifetime, such as 24h or 86400 (seconds)")
	f.Var(&ttlValue{d: &p.RefreshTokenTTL, def: model.DefaultRefreshTokenTTL}, "refresh-token-ttl",
		"refresh token lifetime, such as 720h")
	f.Var(&ttlValue{d: &p.IDTokenTTL, def: model.DefaultIDTokenTTL}, "id-token-ttl",
		"id token lifetime, such as 1h")
	f.StringVar(&p.IDTokenAlg, "id-token-alg", model.SigningRS256, "id token signing algorithm: RS256 or ES256")
	f.BoolVar(&p.RequireConsent, "require-consent", false,
		"third-party application: users approve the scopes it asks for on a consent page")
	f.BoolVar(&p.ClassicRefreshTokens, "classic-refresh-tokens", false,
		"keep one refresh token for the grant's lifetime instead of rotating it on every refresh")
	f.Var(&ttlValue{d: &p.RefreshGracePeriod, def: model.DefaultRefreshGracePeriod}, "refresh-grace",
		"how long a rotated refresh token may be presented again by a client that retried (at most 5m)")
	f.Var(&ttlValue{d: &p.RefreshIdleTTL}, "refresh-idle-ttl", "end a rotating refresh token unused this long (0: no idle limit)")
	f.BoolVar(&p.RejectPKCEPlain, "reject-pkce-plain", false, "accept only code_challenge_method=S256")
	f.StringVar(&p.AllowedScopes, "allowed-scopes", "",
		`space-separated scopes the client_credentials grant may ask for, or * for any (default: none)`)
	f.StringVar(&p.ClaimsFormat, "claims-format", model.ClaimsStandard,
		"user claims of /oidc userinfo and id tokens: standard (OpenID Connect: updated_at in seconds, unknown claims left out) "+
			"or genauth (GenAuth's SDK shapes: nulls, ISO updated_at)")
	f.StringVar(&p.AccessTokenFormat, "access-token-format", "", accessTokenFormatUsage+" (default jwt)")
	f.StringArrayVar(&p.WebOrigins, "web-origin", nil,
		"browser origin (https://host[:port]) allowed to call the token, userinfo, introspection and revocation endpoints "+
			"(repeatable; default: the origins of the login callbacks)")
	registrationFlags(f, &p)
	f.StringVar(&p.MFAPolicy, "mfa-policy", model.MFAOff, mfaPolicyUsage)
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// registrationFlags are the sign-up settings of app create and app update.
func registrationFlags(f *pflag.FlagSet, p *apps.CreateParams) {
	f.BoolVar(&p.RegistrationClosed, "registration-closed", false,
		"refuse sign-up through this application (hosted page and authentication API)")
	f.BoolVar(&p.RegistrationEmailVerify, "registration-email-verify", false,
		"a new user's email address must be proven by a code before the account is made")
}

// ttlValue is a token lifetime flag, read like every duration flag
// (parseDuration), in whole seconds because the wire protocol counts them.
// Zero leaves the application's default, def, which help shows.
type ttlValue struct {
	d   *time.Duration
	def time.Duration
}

func (v *ttlValue) String() string {
	if v.d == nil || *v.d == 0 {
		return v.def.String()
	}
	return v.d.String()
}

func (v *ttlValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	// Zero is a value only where it is the default: "no limit".
	if (d == 0 && v.def != 0) || d%time.Second != 0 {
		return errors.New("must be a whole number of seconds, at least 1")
	}
	*v.d = d
	return nil
}

func (v *ttlValue) Type() string { return "duration" }

const accessTokenFormatUsage = "access tokens: opaque (40 hex characters, checked by introspection) " +
	"or jwt (RS256, verifiable offline against the JWKS; revocation still ends them at introspection and userinfo)"

func (c *cli) appListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List applications (secrets are never shown again)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.existingStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := appService(st).List(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]appJSON, 0, len(list))
				for _, a := range list {
					out = append(out, newAppJSON(a, ""))
				}
				return writeJSON(c.stdout, out)
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "APP ID\tNAME\tGRANTS\tLOGIN CALLBACKS")
			for _, a := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.ID, a.Name, strings.Join(a.GrantTypes, ","), strings.Join(a.RedirectURIs, " "))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
