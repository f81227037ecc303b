package admins

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/account/audit"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// Role is the administrators' role.
const Role = model.RoleAdmin

// LinkTTL is how long a first-administrator link may be used.
const LinkTTL = 24 * time.Hour

// Service gives and takes the admin role and makes the first
// administrator. Every change is an audit event.
type Service struct {
	Store  Store
	Tokens *token.Source
	Now    func() time.Time
	Audit  *audit.Recorder
}

// IsAdmin reports whether the user is an administrator.
func (s *Service) IsAdmin(ctx context.Context, userID string) (bool, error) {
	return s.Store.HasRole(ctx, userID, Role)
}

// Grant makes the user an administrator (again, harmlessly, if they are
// one); by names who did it: an administrator's user id or "cli". An
// unknown user gives model.ErrNotFound.
func (s *Service) Grant(ctx context.Context, userID, by string) error {
	if err := s.Store.GrantRole(ctx, userID, Role, s.Now().UTC()); err != nil {
		return err
	}
	s.Audit.Record(ctx, model.AuditEvent{Type: model.AuditAdminGrant, UserID: userID, Detail: "by " + by})
	return nil
}

// Revoke makes the user no administrator; by is as for Grant. One who is
// not gives model.ErrNotFound, the last administrator model.ErrConflict.
func (s *Service) Revoke(ctx context.Context, userID, by string) error {
	if err := s.Store.RevokeRole(ctx, userID, Role); err != nil {
		return err
	}
	s.Audit.Record(ctx, model.AuditEvent{Type: model.AuditAdminRevoke, UserID: userID, Detail: "by " + by})
	return nil
}

// List returns the administrators' user ids, the earliest made first.
func (s *Service) List(ctx context.Context) ([]string, error) { return s.Store.ListRole(ctx, Role) }

// Count returns how many administrators there are.
func (s *Service) Count(ctx context.Context) (int, error) { return s.Store.CountRole(ctx, Role) }

// Bootstrap returns a new first-administrator link token, good for LinkTTL
// and replacing any earlier one, when there is no administrator; when
// there is one it returns "".
func (s *Service) Bootstrap(ctx context.Context) (string, error) {
	n, err := s.Count(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	tok := s.Tokens.Link()
	now := s.Now().UTC()
	if err := s.Store.SetBootstrap(ctx, token.Hash(tok), now.Add(LinkTTL), now); err != nil {
		return "", err
	}
	return tok, nil
}

// Claim makes the user the first administrator with a link's token. A
// wrong, expired or used token gives model.ErrNotFound; once an
// administrator exists, model.ErrConflict.
func (s *Service) Claim(ctx context.Context, tok, userID string) error {
	if tok == "" {
		return model.ErrNotFound
	}
	if err := s.Store.ClaimFirstAdmin(ctx, token.Hash(tok), userID, s.Now().UTC()); err != nil {
		return err
	}
	s.Audit.Record(ctx, model.AuditEvent{Type: model.AuditAdminGrant, UserID: userID, Detail: "first administrator"})
	return nil
}
