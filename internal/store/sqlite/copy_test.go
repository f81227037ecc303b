package sqlite

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/opengenauth/genauth/internal/store/sqlstore"
	"github.com/opengenauth/genauth/internal/store/storecopy"
)

// TestExportCoversSchema fails when a migration adds a table that Export
// does not read: `genauth db copy` would silently leave it behind. Add the
// table to storecopy.Source and sqlstore's Source and CopyTables.
func TestExportCoversSchema(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "genauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	tables := s.CopyTables(t.Context(), s.Source(nil), new(storecopy.Counts))
	rows, err := s.read.QueryContext(t.Context(), `SELECT name FROM sqlite_schema
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(tables, func(c sqlstore.CopyTable) bool { return c.Name == name }) {
			t.Errorf("table %s is not exported: db copy would leave it behind", name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
