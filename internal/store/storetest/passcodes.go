package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func passcode(dest, hash string) *model.Passcode {
	return &model.Passcode{Channel: "CHANNEL_LOGIN", Destination: dest, Hash: hash, CreatedAt: t0,
		ExpiresAt: t0.Add(5 * time.Minute).In(east)}
}

func testPasscodes(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	use := func(dest, hash string, at time.Time, consume bool) error {
		return s.UsePasscode(ctx, "CHANNEL_LOGIN", dest, hash, at, 3, consume)
	}
	wantErr(t, "UsePasscode with no code", use("d1", "h1", t0, true), model.ErrWrongCode)

	must(t, "SavePasscode", s.SavePasscode(ctx, passcode("d1", "h1"), message("pc-1", t0)))
	// The message went into the outbox with the code.
	got, err := s.ClaimMessages(ctx, t0, time.Minute, 10)
	must(t, "ClaimMessages", err)
	if len(got) != 1 || got[0].ID != "pc-1" {
		t.Fatalf("outbox after SavePasscode = %v, want pc-1", got)
	}
	// A taken message id stores neither the code nor the message.
	wantErr(t, "SavePasscode with a taken message id", s.SavePasscode(ctx, passcode("d2", "h2"), message("pc-1", t0)), model.ErrConflict)
	wantErr(t, "UsePasscode of a code whose message was refused", use("d2", "h2", t0, false), model.ErrWrongCode)
	// Without a message, the code alone is stored and nothing queued.
	must(t, "SavePasscode without a message", s.SavePasscode(ctx, passcode("d4", "h4"), nil))
	must(t, "UsePasscode of a code saved without a message", use("d4", "h4", t0, true))
	if got, err := s.ClaimMessages(ctx, t0, time.Minute, 10); err != nil || len(got) != 0 {
		t.Fatalf("outbox after SavePasscode without a message = %v, %v; want none", got, err)
	}

	// A code no message carries (a grant) is stored alone.
	must(t, "SavePasscode without a message", s.SavePasscode(ctx, passcode("d5", "h5"), nil))
	must(t, "UsePasscode of a code saved without a message", use("d5", "h5", t0, true))
	got, err = s.ClaimMessages(ctx, t0, time.Minute, 10)
	must(t, "ClaimMessages", err)
	if len(got) != 0 {
		t.Fatalf("a code saved without a message queued %v", got)
	}

	// Bound to channel and destination.
	wantErr(t, "UsePasscode on another destination", use("d2", "h1", t0, false), model.ErrWrongCode)
	wantErr(t, "UsePasscode on another channel",
		s.UsePasscode(ctx, "CHANNEL_REGISTER", "d1", "h1", t0, 3, false), model.ErrWrongCode)

	// Checking does not consume; using does, once.
	must(t, "UsePasscode without consuming", use("d1", "h1", t0, false))
	must(t, "UsePasscode without consuming, again", use("d1", "h1", t0, false))
	must(t, "UsePasscode", use("d1", "h1", t0, true))
	wantErr(t, "UsePasscode of a used code", use("d1", "h1", t0, true), model.ErrWrongCode)

	// A new code replaces the old one, tries and all.
	must(t, "SavePasscode", s.SavePasscode(ctx, passcode("d1", "old"), message("pc-2", t0)))
	wantErr(t, "a wrong try", use("d1", "wrong", t0, false), model.ErrWrongCode)
	must(t, "SavePasscode of a new code", s.SavePasscode(ctx, passcode("d1", "new"), message("pc-3", t0)))
	wantErr(t, "UsePasscode of the replaced code", use("d1", "old", t0, false), model.ErrWrongCode)
	// maxTries wrong tries kill the code, right or not after.
	for i := range 3 {
		wantErr(t, fmt.Sprintf("wrong try %d", i+1), use("d1", "wrong", t0, false), model.ErrWrongCode)
	}
	wantErr(t, "the right code after maxTries wrong tries", use("d1", "new", t0, true), model.ErrWrongCode)

	// Expired: the right code says so, a wrong one does not.
	must(t, "SavePasscode", s.SavePasscode(ctx, passcode("d3", "h3"), message("pc-4", t0)))
	end := t0.Add(5 * time.Minute)
	must(t, "UsePasscode just before the end", use("d3", "h3", end.Add(-time.Millisecond), false))
	wantErr(t, "UsePasscode of an expired code", use("d3", "h3", end, true), model.ErrCodeExpired)
	wantErr(t, "a wrong code after the end", use("d3", "wrong", end, true), model.ErrWrongCode)

	// The sweeper deletes expired codes only.
	later := passcode("d4", "h4")
	later.ExpiresAt = end.Add(time.Minute)
	must(t, "SavePasscode", s.SavePasscode(ctx, later, message("pc-5", t0.Add(time.Hour))))
	_, err = s.DeleteExpired(ctx, end.Add(time.Millisecond), 100)
	must(t, "DeleteExpired", err)
	wantErr(t, "UsePasscode of a swept code", use("d3", "h3", end, true), model.ErrWrongCode)
	must(t, "UsePasscode of an unexpired code after the sweep", use("d4", "h4", t0, false))
}

// testConcurrentPasscodeUse: of concurrent consumers of one code exactly one
// wins, and concurrent wrong tries are all counted.
func testConcurrentPasscodeUse(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	must(t, "SavePasscode", s.SavePasscode(ctx, passcode("d", "h"), message("pc", t0)))
	oneWins(t, "UsePasscode", 8, func() error { return s.UsePasscode(ctx, "CHANNEL_LOGIN", "d", "h", t0, 5, true) })

	const workers = 8
	var wg sync.WaitGroup
	must(t, "SavePasscode", s.SavePasscode(ctx, passcode("d", "h"), message("pc-2", t0)))
	for range workers {
		wg.Go(func() {
			if err := s.UsePasscode(ctx, "CHANNEL_LOGIN", "d", "wrong", t0, 5, false); err != model.ErrWrongCode {
				t.Errorf("a wrong try: %v", err)
			}
		})
	}
	wg.Wait()
	wantErr(t, "the right code after 8 concurrent wrong tries (limit 5)",
		s.UsePasscode(ctx, "CHANNEL_LOGIN", "d", "h", t0, 5, true), model.ErrWrongCode)
}
