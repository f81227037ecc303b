package audit

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

// Store keeps the audit trail.
type Store interface {
	// AppendAuditEvents stores security events.
	AppendAuditEvents(ctx context.Context, events ...*model.AuditEvent) error
	// ListAuditPage returns the events matching q, newest first (events of
	// the same time in reverse order of insertion), at most q.RowLimit(), and
	// the cursor of the next page for q.Before ("" after the last page). A
	// malformed cursor gives an error wrapping model.ErrInvalidInput.
	ListAuditPage(ctx context.Context, q store.AuditQuery) (events []*model.AuditEvent, next string, err error)
	// CountAuditByDay counts the events of the given types with
	// since <= Time < until by UTC day ("2006-01-02") and type; days and
	// types without events are absent. More than 400 days give an error
	// wrapping model.ErrInvalidInput.
	CountAuditByDay(ctx context.Context, types []string, since, until time.Time) (map[string]map[string]int, error)
}
