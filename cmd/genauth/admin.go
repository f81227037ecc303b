package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/account/admins"
	"github.com/opengenauth/genauth/internal/api/management"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

func (c *cli) adminCmd() *cobra.Command {
	return groupCmd("admin", "Administrators and the management API's access key", c.adminGrantCmd(), c.adminRevokeCmd(),
		c.adminListCmd(), c.adminCredentialsCmd(), c.adminRotateCmd())
}

// byCLI is how the audit trail names the CLI as the one who changed an
// administrator.
const byCLI = "cli"

func adminService(st database) *admins.Service {
	return &admins.Service{Store: st, Tokens: token.NewSource(rand.Reader), Now: time.Now, Audit: auditTrail(st)}
}

// findUser finds the user named by an id, a username, an email address or
// a phone number, as sign-in compares them.
func findUser(ctx context.Context, st database, name string) (*model.User, error) {
	u, err := st.GetUser(ctx, name)
	if errors.Is(err, model.ErrNotFound) {
		u, err = st.FindUserByLogin(ctx, name)
	}
	if errors.Is(err, model.ErrNotFound) {
		return nil, fmt.Errorf("no user has the id, username, email or phone number %q", name)
	}
	return u, err
}

func (c *cli) adminGrantCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "grant USER",
		Short: "Make a user (id, username, email or phone) an administrator, who may use the console",
		Example: `  genauth admin grant alice
  genauth admin grant alice@example.com`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := c.existingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := findUser(ctx, st, args[0])
			if err != nil {
				return err
			}
			if err := adminService(st).Grant(ctx, u.ID, byCLI); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "User %s is an administrator.\n", u.ID)
			return nil
		},
	}
}

func (c *cli) adminRevokeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke USER",
		Short: "Make an administrator (id, username, email or phone) an ordinary user again; never the last one",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := c.existingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := findUser(ctx, st, args[0])
			if err != nil {
				return err
			}
			switch err := adminService(st).Revoke(ctx, u.ID, byCLI); {
			case errors.Is(err, model.ErrNotFound):
				return fmt.Errorf("user %s is not an administrator", u.ID)
			case errors.Is(err, model.ErrConflict):
				return fmt.Errorf("user %s is the last administrator: make another one first (genauth admin grant USER)", u.ID)
			case err != nil:
				return err
			}
			fmt.Fprintf(c.stdout, "User %s is no longer an administrator.\n", u.ID)
			return nil
		},
	}
}

func (c *cli) adminListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the administrators, the earliest made first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, err := c.existingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			ids, err := adminService(st).List(ctx)
			if err != nil {
				return err
			}
			list := make([]*model.User, 0, len(ids))
			for _, id := range ids {
				u, err := st.GetUser(ctx, id)
				if err != nil {
					return err
				}
				list = append(list, u)
			}
			return c.writeUsers(list, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

// accessKeyJSON is the access key as --json prints it.
type accessKeyJSON struct {
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	UserPoolID      string `json:"user_pool_id"`
}

// withAccessKeys opens the database and the server secret and runs fn with
// the access key manager.
func (c *cli) withAccessKeys(ctx context.Context, fn func(*management.Keys) (*management.Credentials, error), asJSON bool, note string) error {
	st, err := c.existingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sealer, err := c.sealer()
	if err != nil {
		return err
	}
	creds, err := fn(&management.Keys{Store: st, Sealer: sealer, Tokens: token.NewSource(rand.Reader), Now: time.Now})
	if err != nil {
		return fmt.Errorf("access key: %w", err)
	}
	if asJSON {
		return writeJSON(c.stdout, accessKeyJSON{AccessKeyID: creds.ID, AccessKeySecret: creds.Secret, UserPoolID: creds.ID})
	}
	fmt.Fprintf(c.stdout, "access_key_id:     %s\naccess_key_secret: %s\n%s", creds.ID, creds.Secret, note)
	return nil
}

func (c *cli) adminCredentialsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "credentials",
		Short: "Show the access key id and secret of the management API (made on first use)",
		Long: `Show the user pool's access key for the management API (/api/v3): the id,
which is also the user pool id, and the secret. Management SDKs take them as
accessKeyId and accessKeySecret. The key is made on the first start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withAccessKeys(cmd.Context(), func(k *management.Keys) (*management.Credentials, error) {
				return k.Ensure(cmd.Context())
			}, asJSON, "")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

func (c *cli) adminRotateCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rotate-secret",
		Short: "Replace the access key secret; the old one and its management tokens stop working at once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withAccessKeys(cmd.Context(), func(k *management.Keys) (*management.Credentials, error) {
				return k.Rotate(cmd.Context())
			}, asJSON, "The previous secret no longer works.\n")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}
