package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// Committed pages reach the database file through the checkpointer, while
// the log is far below the size at which the writer would copy them itself.
func TestCheckpointerCopiesTheLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s, ctx := openMigratedAt(t, path)
	var pages int
	if err := s.write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if pages != writerCheckpointPages {
		t.Fatalf("writer's wal_autocheckpoint %d, want %d", pages, writerCheckpointPages)
	}
	before := fileSize(t, path)
	now := time.Now()
	for i := range 20 {
		batch := make([]*model.Token, 100)
		for j := range batch {
			batch[j] = &model.Token{Hash: fmt.Sprintf("%064d", i*100+j), Kind: model.TokenAccess, ClientID: "c", UserID: "u",
				Scope: "openid " + strings.Repeat("x", 200), IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
		}
		if err := s.CreateTokens(ctx, batch...); err != nil {
			t.Fatal(err)
		}
	}
	// Liveness, not speed: the checkpointer runs within a tenth of a second
	// of a commit; a minute allows for any machine.
	for deadline := time.Now().Add(time.Minute); fileSize(t, path) < before+200_000; {
		if time.Now().After(deadline) {
			t.Fatalf("database file still %d bytes (was %d): the log was not copied", fileSize(t, path), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// Closing a store twice is harmless, as closing its pools is.
func TestCloseTwice(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
}
