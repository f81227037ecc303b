package storetest

import (
	"path/filepath"
	"testing"
)

// MigrationBefore names the migration file in dir applied just before
// version, for a test that upgrades a database made before version.
func MigrationBefore(t *testing.T, dir, version string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	prev := ""
	for _, f := range files { // Glob sorts
		if name := filepath.Base(f); name < version {
			prev = name
		}
	}
	if prev == "" {
		t.Fatalf("no migration before %s", version)
	}
	return prev
}
