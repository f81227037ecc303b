package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/model"
)

func (c *cli) userCmd() *cobra.Command {
	return groupCmd("user", "Manage users", c.userCreateCmd(), c.userListCmd(), c.userUpdateCmd(), c.userSendResetCmd(), c.userLogoutAllCmd(),
		c.userMFACmd())
}

// userJSON is a user as the CLI prints it; unknown values are null, as in userinfo.
type userJSON struct {
	ID        string    `json:"id"`
	Username  *string   `json:"username"`
	Email     *string   `json:"email"`
	Phone     *string   `json:"phone"`
	CreatedAt time.Time `json:"created_at"`
}

func newUserJSON(u *model.User) userJSON {
	return userJSON{ID: u.ID, Username: nullable(u.Username), Email: nullable(u.Email), Phone: nullable(u.Phone), CreatedAt: u.CreatedAt.UTC()}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (c *cli) userCreateCmd() *cobra.Command {
	var (
		p             users.CreateParams
		passwordStdin bool
		asJSON        bool
		admin         bool
	)
	cmd := &cobra.Command{
		Use:   "create --username NAME [--email E] [--phone P] --password-stdin [--admin]",
		Short: "Create a user; the password is read from standard input",
		Example: `  printf '%s\n' "$PASSWORD" | genauth user create --username alice --email alice@example.com --password-stdin
  printf '%s\n' "$PASSWORD" | genauth user create --username root --password-stdin --admin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Passwords on the command line end up in shell history and ps output.
			if !passwordStdin {
				return errors.New("--password-stdin is required: pass the password on standard input, never as an argument")
			}
			pw, err := readPassword(c.stdin)
			if err != nil {
				return err
			}
			if err := users.ValidatePassword(pw); err != nil {
				return err
			}
			p.Password = pw
			p.SourceType = model.UserSourceAdmin
			st, err := c.existingStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := userService(st).Create(cmd.Context(), p)
			if errors.Is(err, model.ErrConflict) {
				return errors.New("a user with this username, email or phone number already exists")
			}
			if err != nil {
				return err
			}
			if admin {
				if err := adminService(st).Grant(cmd.Context(), u.ID, byCLI); err != nil {
					return fmt.Errorf("created user %s but could not make them an administrator: %w", u.ID, err)
				}
			}
			if asJSON {
				return writeJSON(c.stdout, newUserJSON(u))
			}
			fmt.Fprintln(c.stdout, u.ID)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Username, "username", "", "username (a username, email or phone is required)")
	f.StringVar(&p.Email, "email", "", "email address")
	f.StringVar(&p.Phone, "phone", "", "phone number: digits with an optional leading +")
	f.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input (required)")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	f.BoolVar(&admin, "admin", false, "make the user an administrator, who may use the console")
	return cmd
}

// maxPasswordLine bounds how much of stdin is read: a little more than the
// longest password, so that a longer one is still reported as too long.
const maxPasswordLine = users.MaxPasswordLen + 3

// readPassword returns the first line of r without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, maxPasswordLine)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

func (c *cli) userListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.existingStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := userService(st).List(cmd.Context())
			if err != nil {
				return err
			}
			return c.writeUsers(list, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

// writeUsers prints list as a JSON array or a table.
func (c *cli) writeUsers(list []*model.User, asJSON bool) error {
	if asJSON {
		out := make([]userJSON, 0, len(list))
		for _, u := range list {
			out = append(out, newUserJSON(u))
		}
		return writeJSON(c.stdout, out)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tEMAIL\tPHONE\tCREATED")
	for _, u := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.ID, dash(u.Username), dash(u.Email), dash(u.Phone), u.CreatedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
