package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/sqlite"
)

// TestOperations: migrations lacking and applied, the newest stored time,
// and a backup that CheckFile accepts, holding what was written before it.
func TestOperations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(filepath.Join(dir, "ops.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pending, err := s.PendingMigrations(ctx)
	if err != nil || len(pending) == 0 || pending[0] != "0001_init.sql" {
		t.Fatalf("before Migrate: pending %v, %v; want every migration", pending, err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if pending, err := s.PendingMigrations(ctx); err != nil || len(pending) != 0 {
		t.Errorf("after Migrate: pending %v, %v", pending, err)
	}
	if unknown, err := s.UnknownMigrations(ctx); err != nil || len(unknown) != 0 {
		t.Errorf("unknown migrations %v, %v", unknown, err)
	}
	if newest, err := s.NewestTime(ctx); err != nil || !newest.IsZero() {
		t.Errorf("newest time of an empty database %v, %v; want zero", newest, err)
	}
	at := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.AppendAuditEvents(ctx, &model.AuditEvent{Time: at, Type: model.AuditLoginSuccess}); err != nil {
		t.Fatal(err)
	}
	if newest, err := s.NewestTime(ctx); err != nil || !newest.Equal(at) {
		t.Errorf("newest time %v, %v; want %v", newest, err, at)
	}

	backup := filepath.Join(dir, "backup.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(backup); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("backup: %v, mode %v", err, info.Mode())
	}
	if err := s.Backup(ctx, backup); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second backup to the same file: %v", err)
	}
	applied, err := sqlite.CheckFile(ctx, backup)
	if err != nil || len(applied) == 0 {
		t.Fatalf("CheckFile: %v, %v", applied, err)
	}
	b, err := sqlite.Open(backup)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if newest, err := b.NewestTime(ctx); err != nil || !newest.Equal(at) {
		t.Errorf("the backup's newest time %v, %v; want %v", newest, err, at)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".partial") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}
