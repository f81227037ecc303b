package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// secretKeyFile holds the generated server secret on the embedded default.
const secretKeyFile = "secret.key"

// serverSecret returns the server secret key: --secret-key when given; on
// SQLite otherwise the key file in the data directory, created on first use.
// Several PostgreSQL nodes must share one key, so there it must be given.
func (c *cli) serverSecret() ([]byte, error) {
	if c.secretKey != "" {
		key, err := secret.ParseKey(c.secretKey)
		if err != nil {
			return nil, fmt.Errorf("--secret-key: %w", err)
		}
		return key, nil
	}
	pg, err := c.usePostgres()
	if err != nil {
		return nil, err
	}
	if pg {
		return nil, errors.New("--secret-key (GENAUTH_SECRET_KEY) is required with --database: every node must share it; make one with `openssl rand -hex 32`")
	}
	if c.dataDir == "" {
		return nil, errors.New("--data-dir must not be empty")
	}
	if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	return secret.LoadOrCreateKeyFile(filepath.Join(c.dataDir, secretKeyFile), rand.Reader)
}

// sealer seals and opens under the server secret, for the commands that
// read or write what serve seals (signing keys, the access key, outbox
// messages, verification codes).
func (c *cli) sealer() (*secret.Sealer, error) {
	key, err := c.serverSecret()
	if err != nil {
		return nil, err
	}
	return secret.NewSealer(key, rand.Reader)
}

func (c *cli) keysCmd() *cobra.Command {
	keys := &cobra.Command{
		Use:   "keys",
		Short: "Manage the id token signing keys",
	}
	keys.AddCommand(&cobra.Command{
		Use:   "rotate",
		Short: "Rotate now: the published next key starts signing and a new next key is made",
		Long: `Rotate the id token signing keys now. The next key, already published in JWKS,
starts signing; the previous key stays published until tokens it signed expire,
so no valid token fails verification. Running servers pick the change up within
a minute.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, err := c.existingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			sealer, err := c.sealer()
			if err != nil {
				return err
			}
			k := &idtoken.Keys{Store: st, Sealer: sealer, Tokens: token.NewSource(rand.Reader), Rand: rand.Reader, Now: time.Now}
			if err := k.Rotate(ctx); err != nil {
				return fmt.Errorf("rotating keys: %w", err)
			}
			fmt.Fprintln(c.stdout, "Signing keys rotated.")
			return nil
		},
	})
	return keys
}
