package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// auditLog is what `genauth audit list` reads.
type auditLog interface {
	// ListAuditEvents returns the events matching q, newest first.
	ListAuditEvents(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, error)
}

// auditTrail records an administrator's action; the database row is the
// record, so nothing is logged to the terminal.
func auditTrail(st audit.Store) *audit.Recorder {
	return audit.NewSync(st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
}

func (c *cli) userLogoutAllCmd() *cobra.Command {
	var userID string
	cmd := &cobra.Command{
		Use:   "logout-all --user ID",
		Short: "End every session and revoke every token of a user (backend logout)",
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
			if err := userService(st).Kick(ctx, userID, nil); errors.Is(err, model.ErrNotFound) {
				return fmt.Errorf("no user has the id %q", userID)
			} else if err != nil {
				return err
			}
			auditTrail(st).Record(ctx, model.AuditEvent{Type: model.AuditLogoutAll, UserID: userID, Detail: "genauth user logout-all"})
			fmt.Fprintf(c.stdout, "Signed user %s out everywhere: sessions ended, tokens revoked.\n", userID)
			return nil
		},
	}
	cmd.Flags().StringVar(&userID, "user", "", "the user's id")
	return cmd
}

func (c *cli) appLogoutAllCmd() *cobra.Command {
	var appID string
	cmd := &cobra.Command{
		Use:   "logout-all --app ID",
		Short: "Revoke every token of an application and delete its open authorization codes",
		Long: `Revoke every token of an application and delete its open authorization codes.
Browser sessions at GenAuth are not an application's and stay; the application's
next authorization request issues new tokens only to users who sign in to it again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if appID == "" {
				return errors.New("--app is required")
			}
			ctx := cmd.Context()
			st, err := c.existingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := appService(st).SignOut(ctx, appID)
			if errors.Is(err, model.ErrNotFound) {
				return fmt.Errorf("no application has the id %q", appID)
			}
			if err != nil {
				return err
			}
			auditTrail(st).Record(ctx, model.AuditEvent{Type: model.AuditLogoutAll, ClientID: appID,
				Detail: fmt.Sprintf("genauth app logout-all: %d tokens revoked", n)})
			fmt.Fprintf(c.stdout, "Revoked %d tokens of application %s.\n", n, appID)
			return nil
		},
	}
	cmd.Flags().StringVar(&appID, "app", "", "the application's app_id")
	return cmd
}

// auditJSON is an audit event as the CLI prints it.
type auditJSON struct {
	Time     time.Time `json:"time"`
	Type     string    `json:"type"`
	UserID   string    `json:"user_id,omitempty"`
	ClientID string    `json:"client_id,omitempty"`
	IP       string    `json:"ip,omitempty"`
	Detail   string    `json:"detail,omitempty"`
}

func (c *cli) auditCmd() *cobra.Command {
	var (
		q      store.AuditQuery
		since  time.Duration
		asJSON bool
	)
	list := &cobra.Command{
		Use:   "list [--type T] [--user ID] [--app ID] [--since 24h] [--limit N] [--json]",
		Short: "List security events, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if q.Limit < 0 {
				return errors.New("--limit must not be negative")
			}
			ctx := cmd.Context()
			st, err := c.existingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if since > 0 {
				q.Since = time.Now().Add(-since)
			}
			events, err := st.ListAuditEvents(ctx, q)
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]auditJSON, len(events))
				for i, e := range events {
					out[i] = auditJSON{e.Time, e.Type, e.UserID, e.ClientID, e.IP, e.Detail}
				}
				return writeJSON(c.stdout, out)
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TIME\tEVENT\tUSER\tAPP\tIP\tDETAIL")
			for _, e := range events {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Time.Format(time.RFC3339), e.Type, e.UserID, e.ClientID, e.IP, e.Detail)
			}
			return tw.Flush()
		},
	}
	f := list.Flags()
	f.StringVar(&q.Type, "type", "", "event type, such as login.failure or refresh_token.reuse")
	f.StringVar(&q.UserID, "user", "", "user id")
	f.StringVar(&q.ClientID, "app", "", "application id")
	f.Var(&durationValue{&since}, "since", "only events this recent, such as 24h")
	f.IntVar(&q.Limit, "limit", 100, "at most this many events (at most 10000)")
	f.BoolVar(&asJSON, "json", false, "print a JSON array")
	return groupCmd("audit", "Read the audit trail of security events", list)
}
