package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func message(id string, due time.Time) *model.OutboxMessage {
	return &model.OutboxMessage{ID: id, Kind: model.MessageEmail, Sealed: []byte("sealed " + id),
		NextAttemptAt: due, CreatedAt: t0}
}

func testOutbox(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	for _, m := range []*model.OutboxMessage{
		message("m-later", t0.Add(time.Minute)),
		message("m-second", t0.Add(-time.Second)),
		message("m-first", t0.Add(-time.Minute).In(east)),
	} {
		must(t, "EnqueueMessage", s.EnqueueMessage(ctx, m))
	}
	wantErr(t, "EnqueueMessage of a taken id", s.EnqueueMessage(ctx, message("m-first", t0)), model.ErrConflict)
	_, err := s.ClaimMessages(ctx, t0, time.Minute, 0)
	if err == nil {
		t.Error("ClaimMessages with limit 0: no error")
	}

	b, err := s.OutboxBacklog(ctx, t0)
	must(t, "OutboxBacklog", err)
	diff(t, "backlog", model.OutboxBacklog{Waiting: 3, Due: 2}, b)

	lease := 2 * time.Minute
	got, err := s.ClaimMessages(ctx, t0, lease, 1)
	must(t, "ClaimMessages", err)
	want := message("m-first", t0.Add(lease))
	want.Attempts = 1
	diff(t, "first claim", []*model.OutboxMessage{want}, got)
	checkUTC(t, "claimed", got[0].NextAttemptAt, got[0].CreatedAt)

	got, err = s.ClaimMessages(ctx, t0, lease, 10)
	must(t, "ClaimMessages", err)
	if len(got) != 1 || got[0].ID != "m-second" {
		t.Fatalf("second claim = %v, want m-second only (m-first is leased, m-later not due)", got)
	}
	got, err = s.ClaimMessages(ctx, t0.Add(time.Minute), lease, 10)
	must(t, "ClaimMessages", err)
	if len(got) != 1 || got[0].ID != "m-later" {
		t.Fatalf("claim a minute later = %v, want m-later only", got)
	}

	// The lease of m-first ends: it is claimed again, and the first
	// claimant can no longer record an outcome.
	got, err = s.ClaimMessages(ctx, t0.Add(lease), lease, 10)
	must(t, "ClaimMessages", err)
	attempts := map[string]int{}
	for _, m := range got {
		attempts[m.ID] = m.Attempts
	}
	diff(t, "claim after the lease", map[string]int{"m-first": 2, "m-second": 2}, attempts)
	wantErr(t, "MarkMessageSent by a stale claim", s.MarkMessageSent(ctx, "m-first", 1, t0), model.ErrNotFound)
	wantErr(t, "RetryMessage by a stale claim", s.RetryMessage(ctx, "m-first", 1, t0, "x"), model.ErrNotFound)
	wantErr(t, "MarkMessageSent of an unknown message", s.MarkMessageSent(ctx, "m-none", 1, t0), model.ErrNotFound)
	must(t, "MarkMessageSent", s.MarkMessageSent(ctx, "m-first", 2, t0.Add(lease)))
	wantErr(t, "MarkMessageSent twice", s.MarkMessageSent(ctx, "m-first", 2, t0.Add(lease)), model.ErrNotFound)

	retryAt := t0.Add(time.Hour)
	must(t, "RetryMessage", s.RetryMessage(ctx, "m-second", 2, retryAt, "connection refused"))
	must(t, "FailMessage", s.FailMessage(ctx, "m-later", 1, t0.Add(lease), "550 no such user"))
	wantErr(t, "RetryMessage of a given-up message", s.RetryMessage(ctx, "m-later", 1, t0, "x"), model.ErrNotFound)

	b, err = s.OutboxBacklog(ctx, t0.Add(lease))
	must(t, "OutboxBacklog", err)
	diff(t, "backlog after outcomes", model.OutboxBacklog{Waiting: 1, Failed: 1}, b)
	got, err = s.ClaimMessages(ctx, retryAt, lease, 10)
	must(t, "ClaimMessages", err)
	want = message("m-second", retryAt.Add(lease))
	want.Attempts, want.LastError = 3, "connection refused"
	diff(t, "claim of the retried message", []*model.OutboxMessage{want}, got)
}

func testConcurrentClaims(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	const n = 40
	for i := range n {
		must(t, "EnqueueMessage", s.EnqueueMessage(ctx, message(hashN("m", i), t0)))
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		claimed = map[string]int{}
	)
	for range 8 {
		wg.Go(func() {
			for {
				got, err := s.ClaimMessages(ctx, t0, time.Hour, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					claimed[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("%d messages claimed, want %d", len(claimed), n)
	}
	for id, c := range claimed {
		if c != 1 {
			t.Errorf("%s claimed %d times, want once", id, c)
		}
	}
}

func testDeleteSentMessages(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	for _, id := range []string{"sent-old", "sent-new", "failed-old", "pending"} {
		must(t, "EnqueueMessage", s.EnqueueMessage(ctx, message(id, t0)))
	}
	got, err := s.ClaimMessages(ctx, t0, time.Minute, 10)
	must(t, "ClaimMessages", err)
	if len(got) != 4 {
		t.Fatalf("claimed %d, want 4", len(got))
	}
	must(t, "MarkMessageSent", s.MarkMessageSent(ctx, "sent-old", 1, cut.Add(-time.Millisecond)))
	must(t, "MarkMessageSent", s.MarkMessageSent(ctx, "sent-new", 1, cut))
	must(t, "FailMessage", s.FailMessage(ctx, "failed-old", 1, cut.Add(-time.Hour), "x"))
	_, err = s.DeleteSentMessages(ctx, cut, 0)
	if err == nil {
		t.Error("DeleteSentMessages with limit 0: no error")
	}
	n, err := s.DeleteSentMessages(ctx, cut, 1)
	must(t, "DeleteSentMessages", err)
	m, err := s.DeleteSentMessages(ctx, cut, 10)
	must(t, "DeleteSentMessages", err)
	if n != 1 || m != 1 {
		t.Errorf("deleted %d then %d, want 1 then 1", n, m)
	}
	b, err := s.OutboxBacklog(ctx, cut)
	must(t, "OutboxBacklog", err)
	// sent-new (sent at the cut) stays but counts in no column; pending waits.
	diff(t, "backlog after the sweep", model.OutboxBacklog{Waiting: 1, Due: 1}, b)
	must(t, "MarkMessageSent", s.MarkMessageSent(ctx, "pending", 1, cut))
	n, err = s.DeleteSentMessages(ctx, cut.Add(time.Millisecond), 10)
	must(t, "DeleteSentMessages", err)
	if n != 2 {
		t.Errorf("deleted %d, want 2 (sent-new, pending)", n)
	}
}
