package audit

import (
	"context"

	"github.com/opengenauth/genauth/internal/model"
)

// Store keeps the audit trail.
type Store interface {
	// AppendAuditEvents stores security events.
	AppendAuditEvents(ctx context.Context, events ...*model.AuditEvent) error
}
