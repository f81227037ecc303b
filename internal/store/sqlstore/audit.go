package sqlstore

import (
	"context"
	"math/bits"
	"strconv"
	"strings"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

const auditColumns = `time, type, user_id, client_id, ip, detail`

// auditInserts[k] inserts 1<<k audit events in one statement. A batch goes
// in chunks of these sizes (a batch of 37 is 32+4+1 rows), so that a batch
// takes a few statements and no more than len(auditInserts) texts are ever
// prepared. Rows go in in order, so seq follows the batch's order.
var auditInserts = func() [9]string {
	var out [9]string
	for k := range out {
		var b strings.Builder
		b.WriteString(`INSERT INTO audit_events (` + auditColumns + `) VALUES `)
		for i := range 1 << k {
			if i > 0 {
				b.WriteString(", ")
			}
			n := 6 * i
			b.WriteString("($" + strconv.Itoa(n+1))
			for j := 2; j <= 6; j++ {
				b.WriteString(", $" + strconv.Itoa(n+j))
			}
			b.WriteString(")")
		}
		out[k] = b.String()
	}
	return out
}()

// AppendAuditEvents stores events, all or none: with the engine's Copier, or
// else in one transaction of multi-row INSERTs.
func (s *Store) AppendAuditEvents(ctx context.Context, events ...*model.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	if cp, ok := s.e.(Copier); ok {
		rows := make([][]any, len(events))
		for i, e := range events {
			rows[i] = []any{s.tv(e.Time), e.Type, e.UserID, e.ClientID, e.IP, e.Detail}
		}
		err := cp.CopyRows(ctx, "audit_events", strings.Split(auditColumns, ", "), rows)
		return s.e.Err("append audit events", err)
	}
	err := s.e.InTx(ctx, func(c Conn) error {
		for rest := events; len(rest) > 0; {
			k := min(bits.Len(uint(len(rest)))-1, len(auditInserts)-1)
			chunk := rest[:1<<k]
			rest = rest[len(chunk):]
			args := make([]any, 0, 6*len(chunk))
			for _, e := range chunk {
				args = append(args, s.tv(e.Time), e.Type, e.UserID, e.ClientID, e.IP, e.Detail)
			}
			if _, err := c.Exec(ctx, auditInserts[k], args...); err != nil {
				return err
			}
		}
		return nil
	})
	return s.e.Err("append audit events", err)
}

// ListAuditEvents returns the events matching q, newest first; seq orders
// events of the same time by insertion.
func (s *Store) ListAuditEvents(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, cond+" $"+strconv.Itoa(len(args)))
	}
	if q.Type != "" {
		add("type =", q.Type)
	}
	if q.UserID != "" {
		add("user_id =", q.UserID)
	}
	if q.ClientID != "" {
		add("client_id =", q.ClientID)
	}
	if !q.Since.IsZero() {
		add("time >=", s.tv(q.Since))
	}
	if !q.Until.IsZero() {
		add("time <", s.tv(q.Until))
	}
	text := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		text += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, q.RowLimit())
	text += ` ORDER BY time DESC, seq DESC LIMIT $` + strconv.Itoa(len(args))
	out, err := collect(ctx, s.e.Reader(), scanAuditEvent, text, args...)
	if err != nil {
		return nil, s.e.Err("list audit events", err)
	}
	return out, nil
}

func scanAuditEvent(r Row) (*model.AuditEvent, error) {
	var e model.AuditEvent
	if err := r.Scan(td(&e.Time), &e.Type, &e.UserID, &e.ClientID, &e.IP, &e.Detail); err != nil {
		return nil, err
	}
	return &e, nil
}
