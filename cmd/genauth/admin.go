package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/api/management"
	"github.com/opengenauth/genauth/internal/platform/token"
)

func (c *cli) adminCmd() *cobra.Command {
	return groupCmd("admin", "Manage the management API's access key", c.adminCredentialsCmd(), c.adminRotateCmd())
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
