package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/account/passcode"
	"github.com/opengenauth/genauth/internal/account/reset"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

func (c *cli) userUpdateCmd() *cobra.Command {
	var (
		userID           string
		emailOK, phoneOK bool
	)
	cmd := &cobra.Command{
		Use:   "update --user ID [--email-verified[=false]] [--phone-verified[=false]]",
		Short: "Mark a user's email address or phone number verified (or not): only the flags given change",
		Example: `  genauth user update --user "$USER_ID" --email-verified
  genauth user update --user "$USER_ID" --phone-verified=false`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if userID == "" {
				return errors.New("--user is required")
			}
			f := cmd.Flags()
			var p users.Patch
			var changed []string
			if f.Changed("email-verified") {
				p.EmailVerified = &emailOK
				changed = append(changed, fmt.Sprintf("emailVerified=%t", emailOK))
			}
			if f.Changed("phone-verified") {
				p.PhoneVerified = &phoneOK
				changed = append(changed, fmt.Sprintf("phoneVerified=%t", phoneOK))
			}
			if len(changed) == 0 {
				return errors.New("nothing to change: give --email-verified or --phone-verified")
			}
			ctx := cmd.Context()
			st, err := c.existingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := userService(st).Update(ctx, userID, p)
			if errors.Is(err, model.ErrNotFound) {
				return fmt.Errorf("no user has the id %q", userID)
			}
			if err != nil {
				return err
			}
			detail := "genauth user update " + strings.Join(changed, " ")
			auditTrail(st).Record(ctx, model.AuditEvent{Type: model.AuditProfileUpdate, UserID: u.ID, Detail: detail})
			fmt.Fprintf(c.stdout, "Updated user %s: email verified %t, phone verified %t.\n", u.ID, u.EmailVerified, u.PhoneVerified)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&userID, "user", "", "the user's id")
	f.BoolVar(&emailOK, "email-verified", false, "mark the email address verified (=false: unverified)")
	f.BoolVar(&phoneOK, "phone-verified", false, "mark the phone number verified (=false: unverified)")
	return cmd
}

func (c *cli) userSendResetCmd() *cobra.Command {
	var (
		d                     deliveryFlags
		userID, channel, lang string
	)
	cmd := &cobra.Command{
		Use:   "send-reset --user ID [--channel email|sms] [--lang en|zh]",
		Short: "Queue a password reset code for a user; they finish on the /reset page or with reset-password",
		Long: `Queue a CHANNEL_RESET_PASSWORD code to the user's email address (or, with
--channel sms, phone number) in the outbox, the same message as the
authentication API's send-email and send-sms. The user then sets a new password
on the hosted /reset page (email) or through the authentication API's
verify-reset-password-request and reset-password.

This command only queues: the code goes out when a "genauth serve" whose
delivery flags configure that channel drains the outbox, and it is good for 5
minutes. The command cannot see the running server's configuration; it checks
the delivery flags given here (or the GENAUTH_* environment) instead, so give
it serve's: a channel they leave unconfigured is refused. "genauth doctor"
shows messages waiting in the outbox.

As on the /forgot page and send-email, one code a minute goes to an address
(a second is refused), and each send is recorded in the audit trail
(user.reset_code_send).`,
		Example: `  genauth user send-reset --user "$USER_ID"
  genauth user send-reset --user "$USER_ID" --channel sms --lang zh`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if userID == "" {
				return errors.New("--user is required")
			}
			kind := map[string]string{"email": model.MessageEmail, "sms": model.MessageSMS}[channel]
			if kind == "" {
				return fmt.Errorf("--channel %q: use email or sms", channel)
			}
			if lang != "en" && lang != "zh" {
				return fmt.Errorf("--lang %q: use en or zh", lang)
			}
			del, err := d.parse()
			if err != nil {
				return err
			}
			if !del.kinds()[kind] {
				if kind == model.MessageEmail {
					return errors.New("email is not configured: set --smtp-url and --smtp-from (GENAUTH_SMTP_URL, GENAUTH_SMTP_FROM) as given to serve")
				}
				return errors.New("SMS is not configured: set --sms-webhook-url and --sms-webhook-secret (GENAUTH_SMS_WEBHOOK_URL, GENAUTH_SMS_WEBHOOK_SECRET) as given to serve")
			}
			ctx := cmd.Context()
			st, err := c.existingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := st.GetUser(ctx, userID)
			if errors.Is(err, model.ErrNotFound) {
				return fmt.Errorf("no user has the id %q", userID)
			}
			if err != nil {
				return err
			}
			sealer, err := c.sealer()
			if err != nil {
				return err
			}
			codeKey, err := sealer.DeriveKey(passcode.KeyPurpose)
			if err != nil {
				return err
			}
			loginKey, err := sealer.DeriveKey(throttle.LoginKeyPurpose)
			if err != nil {
				return err
			}
			codes := &passcode.Service{Store: st, Sealer: sealer, Key: codeKey, Rand: rand.Reader,
				NewID: token.NewSource(rand.Reader).ID, Now: time.Now}
			limiter := &throttle.Limiter{Store: st, Now: time.Now, LoginKey: loginKey, Policy: throttle.DefaultPolicy}
			sender := &reset.Service{Codes: codes, SignIn: &signin.Service{Limiter: limiter, Audit: auditTrail(st)}}
			to, err := sender.SendTo(ctx, u, kind, lang, "genauth user send-reset --channel "+channel)
			var locked *throttle.LockedError
			switch {
			case errors.Is(err, reset.ErrNoAddress):
				return fmt.Errorf("user %s has no %s to send a reset code to", u.ID, map[string]string{model.MessageEmail: "email address", model.MessageSMS: "phone number"}[kind])
			case errors.As(err, &locked):
				return fmt.Errorf("a password reset code went to %s less than %s ago: try again after %s",
					map[string]string{model.MessageEmail: u.Email, model.MessageSMS: u.Phone}[kind],
					minutes(throttle.DefaultPolicy.SendInterval), locked.Until.Local().Format(time.TimeOnly))
			case err != nil:
				return err
			}
			fmt.Fprintf(c.stdout, "queued a password reset code to %s, good for %s: `genauth serve` sends it if its %s delivery is configured (this command cannot check the server's)\n",
				to, minutes(passcode.Lifetime), map[string]string{model.MessageEmail: "email", model.MessageSMS: "SMS"}[kind])
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&userID, "user", "", "the user's id")
	f.StringVar(&channel, "channel", "email", "where the code goes: email or sms")
	f.StringVar(&lang, "lang", "en", "language of the message: en or zh")
	addDeliveryFlags(f, &d)
	return cmd
}

// minutes says d, a whole number of minutes, in words.
func minutes(d time.Duration) string {
	if n := int(d / time.Minute); n != 1 {
		return fmt.Sprintf("%d minutes", n)
	}
	return "a minute"
}
