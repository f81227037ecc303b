package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/opengenauth/genauth/internal/store/sqlstore"
)

// A grouped write that panics fails its group and leaves the committer
// and the write connection to the writers after it.
func TestGroupSurvivesPanic(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	err = s.group.run(ctx, func(sqlstore.Conn) error { panic("boom") })
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
