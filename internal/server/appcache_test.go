package server

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// countingStore is an apps.Store that holds applications in memory and
// counts GetApplication calls.
type countingStore struct {
	apps  map[string]model.Application
	reads int
}

func (s *countingStore) CreateApplication(_ context.Context, app *model.Application) error {
	if _, ok := s.apps[app.ID]; ok {
		return model.ErrConflict
	}
	s.apps[app.ID] = *app
	return nil
}

func (s *countingStore) ListApplications(context.Context) ([]*model.Application, error) {
	var list []*model.Application
	for _, app := range s.apps {
		list = append(list, &app)
	}
	return list, nil
}

func (s *countingStore) GetApplication(_ context.Context, id string) (*model.Application, error) {
	s.reads++
	app, ok := s.apps[id]
	if !ok {
		return nil, model.ErrNotFound
	}
	return &app, nil
}

func (s *countingStore) UpdateApplication(_ context.Context, app *model.Application) error {
	s.apps[app.ID] = *app
	return nil
}

func (s *countingStore) DeleteApplication(_ context.Context, id string) error {
	delete(s.apps, id)
	return nil
}

func (s *countingStore) SignOutClient(context.Context, string, time.Time) (int, error) { return 0, nil }

func TestAppCache(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	st := &countingStore{apps: map[string]model.Application{"a": {ID: "a", SecretHash: "old"}}}
	cache := newAppCache(AppCacheTTL, clock)
	protocol := cachedApps{apps: st, cache: cache}
	managed := invalidatingApps{apps: st, cache: cache}

	get := func(want string) {
		t.Helper()
		app, err := protocol.GetApplication(ctx, "a")
		if err != nil || app.SecretHash != want {
			t.Fatalf("GetApplication = %+v, %v; want secret hash %q", app, err, want)
		}
	}
	get("old")
	get("old")
	if st.reads != 1 {
		t.Errorf("two lookups read the store %d times, want 1", st.reads)
	}

	// A copy is handed out: a caller changing it changes nothing cached.
	app, _ := protocol.GetApplication(ctx, "a")
	app.SecretHash = "scribbled"
	get("old")

	// Another node (or the CLI) changes the record: seen after the TTL.
	st.apps["a"] = model.Application{ID: "a", SecretHash: "elsewhere"}
	get("old")
	now = now.Add(AppCacheTTL)
	get("elsewhere")

	// This node's management API changes it: seen at once.
	if err := managed.UpdateApplication(ctx, &model.Application{ID: "a", SecretHash: "new"}); err != nil {
		t.Fatal(err)
	}
	get("new")
	if err := managed.DeleteApplication(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := protocol.GetApplication(ctx, "a"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted application: err = %v, want ErrNotFound", err)
	}

	// Unknown clients are never cached, so a new application works at once.
	st.apps["a"] = model.Application{ID: "a", SecretHash: "recreated"}
	get("recreated")
}

func TestAppCacheDropsReadsThatRacedAnInvalidation(t *testing.T) {
	cache := newAppCache(AppCacheTTL, time.Now)
	_, gen := cache.get("a")
	cache.invalidate("a") // an update lands while the stale read is in flight
	cache.put(&model.Application{ID: "a", SecretHash: "stale"}, gen)
	if app, _ := cache.get("a"); app != nil {
		t.Errorf("a read that raced an invalidation was cached: %+v", app)
	}
}

func TestAppCacheIsBounded(t *testing.T) {
	cache := newAppCache(AppCacheTTL, time.Now)
	for i := range appCacheMax + 10 {
		_, gen := cache.get("")
		cache.put(&model.Application{ID: string(rune('a'+i%26)) + string(rune(i))}, gen)
	}
	if n := len(cache.m); n > appCacheMax {
		t.Errorf("cache holds %d applications, bound is %d", n, appCacheMax)
	}
}
