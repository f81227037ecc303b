package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/model"
)

func (c *cli) appUpdateCmd() *cobra.Command {
	var (
		id     string
		set    apps.CreateParams
		format string
		policy string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "update --app ID [--access-token-format opaque|jwt] [--registration-closed] [--registration-email-verify] [--mfa-policy off|optional|required]",
		Short: "Change an application's settings: only the flags given change (tokens already issued keep their format)",
		Example: `  genauth app update --app "$APP_ID" --access-token-format jwt
  genauth app update --app "$APP_ID" --registration-closed
  genauth app update --app "$APP_ID" --registration-closed=false --registration-email-verify
  genauth app update --app "$APP_ID" --mfa-policy required`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == "" {
				return errors.New("--app is required")
			}
			f := cmd.Flags()
			if !f.Changed("access-token-format") && !f.Changed("registration-closed") && !f.Changed("registration-email-verify") &&
				!f.Changed("mfa-policy") {
				return errors.New("nothing to change: give --access-token-format, --registration-closed, --registration-email-verify or --mfa-policy")
			}
			if f.Changed("mfa-policy") {
				if err := checkPolicy("--mfa-policy", policy); err != nil {
					return err
				}
			}
			st, err := c.existingStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			var old string
			app, err := appService(st).Update(cmd.Context(), id, func(p *apps.CreateParams) error {
				old = p.MFAPolicy
				if f.Changed("access-token-format") {
					p.AccessTokenFormat = format
				}
				if f.Changed("registration-closed") {
					p.RegistrationClosed = set.RegistrationClosed
				}
				if f.Changed("registration-email-verify") {
					p.RegistrationEmailVerify = set.RegistrationEmailVerify
				}
				if f.Changed("mfa-policy") {
					p.MFAPolicy = policy
				}
				return nil
			})
			if errors.Is(err, model.ErrNotFound) {
				return fmt.Errorf("no application %q", id)
			}
			if err != nil {
				return err
			}
			if e, ok := mfa.PolicyChange(app.ID, old, app.MFAPolicy, "genauth app update"); ok {
				auditTrail(st).Record(cmd.Context(), e)
			}
			if asJSON {
				return writeJSON(c.stdout, newAppJSON(app, ""))
			}
			fmt.Fprintf(c.stdout, "Updated application %q: access tokens %s, registration closed %t, email verification first %t, MFA %s.\n",
				app.Name, app.AccessTokenFormat, app.RegistrationClosed, app.RegistrationEmailVerify, app.MFAPolicy)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&id, "app", "", "the application's app_id (required)")
	f.StringVar(&format, "access-token-format", "", accessTokenFormatUsage)
	registrationFlags(f, &set)
	f.StringVar(&policy, "mfa-policy", "", mfaPolicyUsage)
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}
