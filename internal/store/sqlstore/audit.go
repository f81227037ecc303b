package sqlstore

import (
	"context"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"

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
	out, _, err := s.ListAuditPage(ctx, q)
	return out, err
}

// ListAuditPage returns the events matching q, newest first by (time,
// seq), and the cursor of the next page, "" after the last. Each filter
// has an index in that order (audit_events_time, _type, _user, _client),
// so a page reads its rows and no more; the conditions that the user and
// client be set let the engines pick those partial indexes.
func (s *Store) ListAuditPage(ctx context.Context, q store.AuditQuery) ([]*model.AuditEvent, string, error) {
	c, err := parseCursor(q.Before, 2, "audit")
	if err != nil {
		return nil, "", err
	}
	var a numberedArgs
	var where []string
	if q.Type != "" {
		where = append(where, "type = "+a.add(q.Type))
	}
	if q.UserID != "" {
		where = append(where, "user_id = "+a.add(q.UserID), "user_id <> ''")
	}
	if q.ClientID != "" {
		where = append(where, "client_id = "+a.add(q.ClientID), "client_id <> ''")
	}
	if !q.Since.IsZero() {
		where = append(where, "time >= "+a.add(s.tv(q.Since)))
	}
	if !q.Until.IsZero() {
		where = append(where, "time < "+a.add(s.tv(q.Until)))
	}
	if c != nil {
		t, err := parseCursorTime(c[1])
		seq, perr := strconv.ParseInt(c[2], 10, 64)
		if err != nil || perr != nil {
			return nil, "", errCursor
		}
		where = append(where, "(time, seq) < ("+a.add(s.tv(t))+", "+a.add(seq)+")")
	}
	text := `SELECT ` + auditColumns + `, seq FROM audit_events`
	if len(where) > 0 {
		text += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := q.RowLimit()
	var seqs []int64
	out, err := collect(ctx, s.e.Reader(), func(r Row) (*model.AuditEvent, error) {
		var seq int64
		e, err := scanAuditEvent(trailingRow{r, []any{&seq}})
		seqs = append(seqs, seq)
		return e, err
	}, text+` ORDER BY time DESC, seq DESC LIMIT `+a.add(limit+1), a...)
	if err != nil {
		return nil, "", s.e.Err("list audit events", err)
	}
	if len(out) <= limit {
		return out, "", nil
	}
	last := out[limit-1]
	return out[:limit], cursor{"audit", cursorTime(last.Time), strconv.FormatInt(seqs[limit-1], 10)}.String(), nil
}

// maxAuditDays bounds CountAuditByDay's range: one CASE branch a day.
const maxAuditDays = 400

// CountAuditByDay counts the events of types with since <= time < until
// by UTC day ("2006-01-02") and type; days and types without events are
// absent. The days are told apart in SQL by comparing with each midnight,
// the one way to write it once for both engines' time columns; the counts
// read audit_events_type only.
func (s *Store) CountAuditByDay(ctx context.Context, types []string, since, until time.Time) (map[string]map[string]int, error) {
	out := map[string]map[string]int{}
	if len(types) == 0 || !since.Before(until) {
		return out, nil
	}
	since, until = since.UTC(), until.UTC()
	starts := []time.Time{since}
	for d := since.Truncate(24 * time.Hour).Add(24 * time.Hour); d.Before(until); d = d.Add(24 * time.Hour) {
		starts = append(starts, d)
	}
	if len(starts) > maxAuditDays {
		return nil, fmt.Errorf("%w: more than %d days of audit counts", model.ErrInvalidInput, maxAuditDays)
	}
	var a numberedArgs
	ts := make([]any, len(types))
	for i, t := range types {
		ts[i] = t
	}
	day := "0"
	if len(starts) > 1 {
		var b strings.Builder
		b.WriteString("CASE")
		for i, d := range starts[1:] {
			b.WriteString(" WHEN time < " + a.add(s.tv(d)) + " THEN " + strconv.Itoa(i))
		}
		b.WriteString(" ELSE " + strconv.Itoa(len(starts)-1) + " END")
		day = b.String()
	}
	text := `SELECT type, ` + day + ` AS day, count(*) FROM audit_events WHERE type IN (` + a.in(ts) +
		`) AND time >= ` + a.add(s.tv(since)) + ` AND time < ` + a.add(s.tv(until)) + ` GROUP BY type, day`
	type count struct {
		typ    string
		day, n int
	}
	counts, err := collect(ctx, s.e.Reader(), func(r Row) (count, error) {
		var c count
		err := r.Scan(&c.typ, &c.day, &c.n)
		return c, err
	}, text, a...)
	if err != nil {
		return nil, s.e.Err("count audit events", err)
	}
	for _, c := range counts {
		d := starts[c.day].Format(time.DateOnly)
		if out[d] == nil {
			out[d] = map[string]int{}
		}
		out[d][c.typ] = c.n
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
