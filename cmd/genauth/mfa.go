package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/model"
)

// factorService is what the mfa commands need of mfa.Service: listing,
// resetting and policies, none of which seals or opens a secret, so the
// server secret is not needed.
func factorService(st mfa.Store) *mfa.Service {
	return &mfa.Service{Store: st, Now: time.Now}
}

// checkPolicy refuses anything but an MFA policy, naming flag.
func checkPolicy(flag, p string) error {
	switch p {
	case model.MFAOff, model.MFAOptional, model.MFARequired:
		return nil
	}
	return fmt.Errorf("%s must be off, optional or required, not %q", flag, p)
}

const mfaPolicyUsage = "MFA for users signing in to this application: off, optional (offered after sign-in) or required " +
	"(enroll before the sign-in ends); the user pool's policy (genauth mfa policy) may be stricter"

// factorJSON is a second factor as the CLI prints it: never its secret.
type factorJSON struct {
	ID         string     `json:"id"`
	Type       string     `json:"type"`
	Name       string     `json:"name,omitempty"`
	Address    string     `json:"address,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// userMFAJSON is `genauth user mfa list --json`.
type userMFAJSON struct {
	UserID            string       `json:"user_id"`
	Factors           []factorJSON `json:"factors"`
	RecoveryCodesLeft int          `json:"recovery_codes_left"`
}

func (c *cli) userMFACmd() *cobra.Command {
	return groupCmd("mfa", "List or reset a user's second factors", c.userMFAListCmd(), c.userMFAResetCmd())
}

// knownUser fails with one readable line when no user has the id.
func knownUser(ctx context.Context, st database, id string) error {
	if _, err := st.GetUser(ctx, id); errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("no user has the id %q", id)
	} else if err != nil {
		return err
	}
	return nil
}

func (c *cli) userMFAListCmd() *cobra.Command {
	var (
		userID string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "list --user ID [--json]",
		Short: "List a user's second factors and how many recovery codes are left (never a secret)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if userID == "" {
				return errors.New("--user is required")
			}
			ctx := cmd.Context()
			st, err := c.existingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := knownUser(ctx, st, userID); err != nil {
				return err
			}
			status, err := factorService(st).Status(ctx, userID)
			if err != nil {
				return err
			}
			if asJSON {
				out := userMFAJSON{UserID: userID, Factors: make([]factorJSON, 0, len(status.Factors)), RecoveryCodesLeft: status.RecoveryCodes}
				for _, f := range status.Factors {
					j := factorJSON{ID: f.ID, Type: f.Type, Name: f.Name, Address: f.Address, CreatedAt: f.CreatedAt.UTC()}
					if !f.LastUsedAt.IsZero() {
						used := f.LastUsedAt.UTC()
						j.LastUsedAt = &used
					}
					out.Factors = append(out.Factors, j)
				}
				return writeJSON(c.stdout, out)
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tTYPE\tNAME\tCREATED\tLAST USED")
			for _, f := range status.Factors {
				used := "-"
				if !f.LastUsedAt.IsZero() {
					used = f.LastUsedAt.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.ID, f.Type, dash(f.Name+f.Address), f.CreatedAt.UTC().Format(time.RFC3339), used)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.stdout, "Recovery codes left: %d\n", status.RecoveryCodes)
			return err
		},
	}
	cmd.Flags().StringVar(&userID, "user", "", "the user's id")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

func (c *cli) userMFAResetCmd() *cobra.Command {
	var userID string
	cmd := &cobra.Command{
		Use:   "reset --user ID",
		Short: "Remove every second factor and recovery code of a user and sign them out everywhere",
		Long: `Remove every second factor and recovery code of a user (one who lost their phone,
say) and sign them out everywhere, as logout-all does: whoever signed in with the
lost factor is signed out. The user enrolls again at the next sign-in the policy asks it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if userID == "" {
				return errors.New("--user is required")
			}
			ctx := cmd.Context()
			st, err := c.existingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := knownUser(ctx, st, userID); err != nil {
				return err
			}
			n, err := factorService(st).Reset(ctx, userID)
			if err != nil {
				return err
			}
			if err := userService(st).Kick(ctx, userID, nil); err != nil {
				return err
			}
			auditTrail(st).Record(ctx, model.AuditEvent{Type: model.AuditMFAReset, UserID: userID,
				Detail: fmt.Sprintf("genauth user mfa reset: %d factors removed, sessions ended", n)})
			fmt.Fprintf(c.stdout, "Reset MFA of user %s: %d factors and the recovery codes removed, sessions ended, tokens revoked.\n", userID, n)
			return nil
		},
	}
	cmd.Flags().StringVar(&userID, "user", "", "the user's id")
	return cmd
}

func (c *cli) mfaCmd() *cobra.Command {
	policy := &cobra.Command{
		Use:   "policy [off|optional|required]",
		Short: "Print or set the user pool's MFA policy (an application's own may be stricter)",
		Example: `  genauth mfa policy
  genauth mfa policy required`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if err := checkPolicy("the MFA policy", args[0]); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			st, err := c.existingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			s := factorService(st)
			if len(args) == 0 {
				p, err := s.PoolPolicy(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintln(c.stdout, p)
				return nil
			}
			old, err := s.PoolPolicy(ctx)
			if err != nil {
				return err
			}
			if err := s.SetPoolPolicy(ctx, args[0]); err != nil {
				return err
			}
			if e, ok := mfa.PolicyChange("", old, args[0], "genauth mfa policy"); ok {
				auditTrail(st).Record(ctx, e)
			}
			fmt.Fprintf(c.stdout, "MFA policy of the user pool: %s.\n", args[0])
			return nil
		},
	}
	return groupCmd("mfa", "Multi-factor authentication settings", policy)
}
