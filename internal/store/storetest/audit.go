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

func testAuditPages(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	var events []*model.AuditEvent
	for i := range 9 {
		events = append(events, &model.AuditEvent{
			Time:     t0.Add(time.Duration(i/3) * time.Minute), // three at a time: seq breaks the ties
			Type:     []string{model.AuditLoginSuccess, model.AuditLoginFailure}[i%2],
			UserID:   []string{"", "user-1"}[i%2],
			ClientID: []string{"", "app-1", "app-2"}[i%3],
			Detail:   fmt.Sprint(i),
		})
	}
	must(t, "AppendAuditEvents", s.AppendAuditEvents(ctx, events...))
	details := func(es []*model.AuditEvent) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Detail)
		}
		return out
	}
	queries := []store.AuditQuery{
		{},
		{Type: model.AuditLoginFailure},
		{UserID: "user-1"},
		{ClientID: "app-2"},
		{Since: t0.Add(time.Minute), Until: t0.Add(2 * time.Minute)},
	}
	for _, q := range queries {
		want, err := s.ListAuditEvents(ctx, q)
		must(t, "ListAuditEvents", err)
		for _, limit := range []int{1, 2, 3, 4, 9} {
			q := q
			q.Limit = limit
			var got []*model.AuditEvent
			for range 20 {
				page, next, err := s.ListAuditPage(ctx, q)
				must(t, "ListAuditPage", err)
				got = append(got, page...)
				if next == "" {
					break
				}
				if len(page) != limit {
					t.Fatalf("%+v: page of %d before the last", q, len(page))
				}
				q.Before = next
			}
			diff(t, fmt.Sprintf("%+v by pages", q), details(want), details(got))
		}
	}
	all, err := s.ListAuditEvents(ctx, store.AuditQuery{})
	must(t, "ListAuditEvents", err)
	diff(t, "newest first, then last inserted", []string{"8", "7", "6", "5", "4", "3", "2", "1", "0"}, details(all))
	_, next, err := s.ListAuditPage(ctx, store.AuditQuery{Limit: 9})
	if err != nil || next != "" {
		t.Errorf("a page of all: next %q, %v", next, err)
	}
	for _, bad := range []string{"garbage", "WyJhdWRpdCIsIngiLCIxIl0"} { // ["audit","x","1"]
		_, _, err := s.ListAuditPage(ctx, store.AuditQuery{Before: bad})
		wantErr(t, "ListAuditPage "+bad, err, model.ErrInvalidInput)
	}
}

func testAuditByDay(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	day := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	var events []*model.AuditEvent
	add := func(typ string, times ...time.Time) {
		for _, tm := range times {
			events = append(events, &model.AuditEvent{Time: tm.In(east), Type: typ})
		}
	}
	add(model.AuditLoginSuccess, at(11, 59), at(12, 0), at(22, 0), at(24, 0), at(47, 59), at(48, 0), at(60, 0))
	add(model.AuditLoginFailure, at(23, 0), at(23, 59), at(36, 0), at(59, 59))
	add(model.AuditTokenIssue, at(13, 0), at(30, 0))
	must(t, "AppendAuditEvents", s.AppendAuditEvents(ctx, events...))
	types := []string{model.AuditLoginSuccess, model.AuditLoginFailure, "user.nothing"}

	got, err := s.CountAuditByDay(ctx, types, at(12, 0), at(60, 0))
	must(t, "CountAuditByDay", err)
	diff(t, "counts by day", map[string]map[string]int{
		"2025-03-03": {model.AuditLoginSuccess: 2, model.AuditLoginFailure: 2},
		"2025-03-04": {model.AuditLoginSuccess: 2, model.AuditLoginFailure: 1},
		"2025-03-05": {model.AuditLoginSuccess: 1, model.AuditLoginFailure: 1},
	}, got)

	got, err = s.CountAuditByDay(ctx, types[:1], at(12, 0).In(east), at(23, 0))
	must(t, "CountAuditByDay within a day", err)
	diff(t, "counts within a day", map[string]map[string]int{"2025-03-03": {model.AuditLoginSuccess: 2}}, got)

	for _, r := range [][2]time.Time{{at(12, 0), at(12, 0)}, {at(13, 0), at(12, 0)}} {
		got, err = s.CountAuditByDay(ctx, types, r[0], r[1])
		must(t, "CountAuditByDay of nothing", err)
		diff(t, "no range", map[string]map[string]int{}, got)
	}
	got, err = s.CountAuditByDay(ctx, nil, at(0, 0), at(72, 0))
	must(t, "CountAuditByDay of no types", err)
	diff(t, "no types", map[string]map[string]int{}, got)
	_, err = s.CountAuditByDay(ctx, types, day, day.AddDate(2, 0, 0))
	wantErr(t, "CountAuditByDay of two years", err, model.ErrInvalidInput)
}
