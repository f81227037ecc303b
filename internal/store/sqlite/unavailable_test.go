package sqlite

import (
	"database/sql"
	"errors"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/opengenauth/genauth/internal/model"
)

// TestUnavailableErrors: the driver's errors for a full database, a
// read-only file and a lock held past the busy timeout map to
// genauth.ErrUnavailable; a constraint violation does not.
func TestUnavailableErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u.db")
	conn := func(params string) *sql.DB {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+params)
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		return db
	}
	rw := conn("_pragma=journal_mode(WAL)")
	if _, err := rw.Exec(`CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.Exec(`INSERT INTO t VALUES ('a', 'x')`); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func() error{
		"full": func() error {
			full := conn("_pragma=max_page_count(3)")
			_, err := full.Exec(`INSERT INTO t SELECT hex(randomblob(8)), hex(randomblob(2000)) FROM (SELECT 1 UNION SELECT 2 UNION SELECT 3)`)
			return err
		},
		"read-only": func() error {
			_, err := conn("mode=ro").Exec(`INSERT INTO t VALUES ('b', 'y')`)
			return err
		},
		"busy": func() error {
			tx, err := rw.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.Exec(`UPDATE t SET v = 'z'`); err != nil {
				t.Fatal(err)
			}
			_, err = conn("_pragma=busy_timeout(1)").Exec(`INSERT INTO t VALUES ('c', 'y')`)
			return err
		},
	}
	for name, fn := range cases {
		err := fn()
		if err == nil {
			t.Fatalf("%s: the write succeeded", name)
		}
		if got := mapErr("test", err); !errors.Is(got, model.ErrUnavailable) {
			t.Errorf("%s: mapErr(%v) = %v, want genauth.ErrUnavailable", name, err, got)
		}
	}
	_, err := rw.Exec(`INSERT INTO t VALUES ('a', 'again')`)
	if got := mapErr("test", err); err == nil || errors.Is(got, model.ErrUnavailable) {
		t.Errorf("a duplicate key: mapErr(%v) = %v, want no ErrUnavailable", err, got)
	}
}
