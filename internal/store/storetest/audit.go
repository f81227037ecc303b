package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store"
)

func testAuditEvents(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	var all []*model.AuditEvent
	for i := range 6 {
		e := &model.AuditEvent{
			Time:     t0.Add(time.Duration(i) * time.Minute).In(east),
			Type:     []string{model.AuditLoginFailure, model.AuditTokenIssue}[i%2],
			UserID:   fmt.Sprintf("user-%d", i%3),
			ClientID: "app-1",
			IP:       "192.0.2.7",
			Detail:   "attempt ✓ \"quoted\"",
		}
		all = append(all, e)
	}
	must(t, "AppendAuditEvents", s.AppendAuditEvents(ctx, all[:4]...))
	must(t, "AppendAuditEvents", s.AppendAuditEvents(ctx, all[4:]...))
	must(t, "AppendAuditEvents of nothing", s.AppendAuditEvents(ctx))
	utc := func(es ...*model.AuditEvent) []*model.AuditEvent {
		out := make([]*model.AuditEvent, len(es))
		for i, e := range es {
			c := *e
			c.Time = c.Time.UTC()
			out[i] = &c
		}
		return out
	}
	tests := []struct {
		name string
		q    store.AuditQuery
		want []*model.AuditEvent
	}{
		{"all, newest first", store.AuditQuery{}, utc(all[5], all[4], all[3], all[2], all[1], all[0])},
		{"by type", store.AuditQuery{Type: model.AuditLoginFailure}, utc(all[4], all[2], all[0])},
		{"by user", store.AuditQuery{UserID: "user-1"}, utc(all[4], all[1])},
		{"by client and time", store.AuditQuery{ClientID: "app-1", Since: t0.Add(2 * time.Minute), Until: t0.Add(4 * time.Minute)}, utc(all[3], all[2])},
		{"limited", store.AuditQuery{Limit: 2}, utc(all[5], all[4])},
		{"nothing", store.AuditQuery{UserID: "nobody"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListAuditEvents(ctx, tt.q)
			must(t, "ListAuditEvents", err)
			diff(t, "events", tt.want, got)
		})
	}
}
