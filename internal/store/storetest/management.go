package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func testManagement(t *testing.T, open Opener) {
	t.Run("AccessKey", func(t *testing.T) {
		s := open(t)
		_, err := s.GetAccessKey(t.Context())
		wantErr(t, "GetAccessKey of a new store", err, model.ErrNotFound)
		k := &model.AccessKey{ID: "ak-1", SealedSecret: []byte{0, 1, 0xff}, CreatedAt: t0.In(east), UpdatedAt: t0}
		must(t, "CreateAccessKey", s.CreateAccessKey(t.Context(), k))
		wantErr(t, "a second CreateAccessKey", s.CreateAccessKey(t.Context(),
			&model.AccessKey{ID: "ak-2", SealedSecret: []byte{1}, CreatedAt: t0, UpdatedAt: t0}), model.ErrConflict)
		got, err := s.GetAccessKey(t.Context())
		must(t, "GetAccessKey", err)
		diff(t, "access key", k, got)
		must(t, "UpdateAccessKeySecret", s.UpdateAccessKeySecret(t.Context(), "ak-1", []byte{9, 9}, t0.Add(time.Hour)))
		got, err = s.GetAccessKey(t.Context())
		must(t, "GetAccessKey", err)
		diff(t, "rotated access key", &model.AccessKey{ID: "ak-1", SealedSecret: []byte{9, 9}, CreatedAt: t0,
			UpdatedAt: t0.Add(time.Hour)}, got)
		wantErr(t, "UpdateAccessKeySecret of an unknown id",
			s.UpdateAccessKeySecret(t.Context(), "ak-2", []byte{1}, t0), model.ErrNotFound)
	})

	t.Run("UseNonce", func(t *testing.T) {
		s := open(t)
		exp := t0.Add(time.Minute)
		must(t, "UseNonce", s.UseNonce(t.Context(), "n1", t0, exp))
		wantErr(t, "UseNonce replayed", s.UseNonce(t.Context(), "n1", t0.Add(59*time.Second), exp), model.ErrConflict)
		must(t, "UseNonce of another nonce", s.UseNonce(t.Context(), "n2", t0, exp))
		must(t, "UseNonce after expiry", s.UseNonce(t.Context(), "n1", exp, exp.Add(time.Minute)))
		wantErr(t, "UseNonce replayed again", s.UseNonce(t.Context(), "n1", exp, exp.Add(time.Minute)), model.ErrConflict)

		const workers = 8
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			ok, dupes int
		)
		for range workers {
			wg.Go(func() {
				err := s.UseNonce(t.Context(), "race", t0, exp)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, model.ErrConflict):
					dupes++
				default:
					t.Errorf("UseNonce: %v", err)
				}
			})
		}
		wg.Wait()
		if ok != 1 || dupes != workers-1 {
			t.Errorf("concurrent UseNonce: %d succeeded, %d refused; want 1 and %d", ok, dupes, workers-1)
		}
	})
}
