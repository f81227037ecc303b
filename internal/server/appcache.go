package server

import (
	"context"
	"sync"
	"time"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/protocol/oauth"
)

// Application records change rarely and are read on every token,
// introspection and revocation request (client authentication). The
// protocol endpoints read them through a small cache.
const (
	// AppCacheTTL bounds how long a node keeps using an application record
	// it read: a secret reset, an update or a deletion made on another node
	// takes effect here within this time. On the node that made it, at once.
	AppCacheTTL = 2 * time.Second
	// appCacheMax bounds the cache; only applications that exist get in.
	appCacheMax = 1024
)

// appCache holds recently read applications. It never holds token or
// session state, so revocations stay visible at once on every node.
type appCache struct {
	now func() time.Time // the server's injected clock, so tests can expire entries without sleeping
	ttl time.Duration

	mu sync.Mutex
	m  map[string]cachedApp
	// gen counts invalidations, so that a read that raced one is not stored.
	gen uint64
}

type cachedApp struct {
	app     model.Application
	expires time.Time
}

func newAppCache(ttl time.Duration, now func() time.Time) *appCache {
	return &appCache{now: now, ttl: ttl, m: make(map[string]cachedApp)}
}

// get returns a copy of the cached application and the generation to pass
// to put after a miss.
func (c *appCache) get(id string) (*model.Application, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || !c.now().Before(e.expires) {
		return nil, c.gen
	}
	app := e.app
	return &app, c.gen
}

// put stores app unless an invalidation happened since gen was read.
func (c *appCache) put(app *model.Application, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	now := c.now()
	if len(c.m) >= appCacheMax {
		for id, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, id)
			}
		}
	}
	if len(c.m) >= appCacheMax {
		for id := range c.m { // any one: map order is random
			delete(c.m, id)
			break
		}
	}
	c.m[app.ID] = cachedApp{app: *app, expires: now.Add(c.ttl)}
}

func (c *appCache) invalidate(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
	c.gen++
}

// cachedApps is the protocol endpoints' view of the applications: from the
// cache when fresh enough. It wraps application reads only; codes, tokens
// and users never pass through it.
type cachedApps struct {
	apps  oauth.Apps
	cache *appCache
}

func (s cachedApps) GetApplication(ctx context.Context, id string) (*model.Application, error) {
	app, gen := s.cache.get(id)
	if app != nil {
		return app, nil
	}
	app, err := s.apps.GetApplication(ctx, id)
	if err != nil {
		return nil, err
	}
	cp := *app
	s.cache.put(&cp, gen)
	return app, nil
}

// ListApplications is read afresh: CORS keeps its own short-lived copy.
func (s cachedApps) ListApplications(ctx context.Context) ([]*model.Application, error) {
	return s.apps.ListApplications(ctx)
}

// invalidatingApps is the application service's store: reads are fresh, and
// changes to an application drop it from the cache at once.
type invalidatingApps struct {
	apps  apps.Store
	cache *appCache
}

func (s invalidatingApps) CreateApplication(ctx context.Context, app *model.Application) error {
	return s.apps.CreateApplication(ctx, app)
}

func (s invalidatingApps) GetApplication(ctx context.Context, id string) (*model.Application, error) {
	return s.apps.GetApplication(ctx, id)
}

func (s invalidatingApps) ListApplications(ctx context.Context) ([]*model.Application, error) {
	return s.apps.ListApplications(ctx)
}

func (s invalidatingApps) UpdateApplication(ctx context.Context, app *model.Application) error {
	defer s.cache.invalidate(app.ID)
	return s.apps.UpdateApplication(ctx, app)
}

func (s invalidatingApps) DeleteApplication(ctx context.Context, id string) error {
	defer s.cache.invalidate(id)
	return s.apps.DeleteApplication(ctx, id)
}

// SignOutClient changes tokens, not the application: nothing to drop.
func (s invalidatingApps) SignOutClient(ctx context.Context, clientID string, now time.Time) (int, error) {
	return s.apps.SignOutClient(ctx, clientID, now)
}
