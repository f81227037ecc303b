package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
)

func testPasswordKey(t *testing.T, open Opener) {
	s := open(t)
	_, err := s.GetPasswordKey(t.Context())
	wantErr(t, "GetPasswordKey of a new store", err, model.ErrNotFound)

	// Nodes starting together: exactly one key is kept, and every node reads it.
	const workers = 8
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		ok, dupes int
		made      = map[byte]*model.PasswordKey{}
	)
	for i := range workers {
		k := &model.PasswordKey{PublicDER: []byte{byte(i), 0xff}, SealedPrivate: []byte{0, byte(i)}, CreatedAt: t0.In(east)}
		made[byte(i)] = k
		wg.Go(func() {
			err := s.CreatePasswordKey(t.Context(), k)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, model.ErrConflict):
				dupes++
			default:
				t.Errorf("CreatePasswordKey: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 1 || dupes != workers-1 {
		t.Fatalf("concurrent CreatePasswordKey: %d succeeded, %d refused; want 1 and %d", ok, dupes, workers-1)
	}
	got, err := s.GetPasswordKey(t.Context())
	must(t, "GetPasswordKey", err)
	diff(t, "password key", made[got.PublicDER[0]], got)
}
