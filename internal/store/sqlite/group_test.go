package sqlite

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/opengenauth/genauth/internal/store/sqlstore"
)

func openMigrated(t *testing.T) (*Store, context.Context) {
	t.Helper()
	return openMigratedAt(t, filepath.Join(t.TempDir(), "g.db"))
}

func openMigratedAt(t *testing.T, path string) (*Store, context.Context) {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s, ctx
}

// A grouped write that panics fails its group and leaves the committer
// and the write connection to the writers after it.
func TestGroupSurvivesPanic(t *testing.T) {
	s, ctx := openMigrated(t)
	err := s.group.run(ctx, func(sqlstore.Conn) error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("panicking write: %v", err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := s.group.run(ctx, func(c sqlstore.Conn) error {
				_, err := c.Exec(ctx, `SELECT 1`)
				return err
			}); err != nil {
				t.Errorf("a write after the panic: %v", err)
			}
		})
	}
	wg.Wait()
}

// A group of several callers keeps its savepoints' sub-journal in memory,
// and the write connection goes back to the default temp_store after it, so
// that other writes (a migration's index sort) do not sort wholly in memory.
func TestGroupTempStoreInMemory(t *testing.T) {
	s, ctx := openMigrated(t)
	tempStore := func(c sqlstore.Conn) int {
		var v int
		if err := c.QueryRow(ctx, `PRAGMA temp_store`).Scan(&v); err != nil {
			t.Error(err)
		}
		return v
	}
	// The first caller holds its commit until the others queue behind it;
	// they then commit as one group.
	const n = 6
	held, hold := make(chan struct{}), make(chan struct{})
	got := make([]int, n)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := s.group.run(ctx, func(sqlstore.Conn) error { close(held); <-hold; return nil }); err != nil {
			t.Error(err)
		}
	})
	<-held
	for i := range n {
		wg.Go(func() {
			if err := s.group.run(ctx, func(c sqlstore.Conn) error { got[i] = tempStore(c); return nil }); err != nil {
				t.Error(err)
			}
		})
	}
	for {
		s.group.mu.Lock()
		waiting := len(s.group.queue)
		s.group.mu.Unlock()
		if waiting == n {
			break
		}
		runtime.Gosched()
	}
	close(hold)
	wg.Wait()
	for i, v := range got {
		if v != 2 {
			t.Errorf("caller %d in a group: temp_store %d, want 2 (memory)", i, v)
		}
	}
	if v := tempStore(engine{s}.Writer()); v != 0 {
		t.Errorf("write connection after the group: temp_store %d, want 0 (default)", v)
	}
}
