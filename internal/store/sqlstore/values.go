package sqlstore

import (
	"fmt"
	"time"
)

// timeDest scans a time as either engine stores it: unix milliseconds
// (SQLite) or a timestamp (PostgreSQL); NULL is the zero time.
type timeDest struct{ t *time.Time }

func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
	case int64:
		*d.t = time.UnixMilli(v).UTC()
	case time.Time:
		*d.t = v.UTC()
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a time", src)
	}
	return nil
}

// td is the scan destination for a time column.
func td(t *time.Time) timeDest { return timeDest{t} }

// nullDest scans a nullable text column; NULL is "".
type nullDest struct{ s *string }

func (d nullDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.s = ""
	case string:
		*d.s = v
	case []byte:
		*d.s = string(v)
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a string", src)
	}
	return nil
}

// nd is the scan destination for a nullable text column.
func nd(s *string) nullDest { return nullDest{s} }

// tv is t as s's engine stores it.
func (s *Store) tv(t time.Time) any { return s.e.Time(t) }

// ntv is like tv but stores the zero time ("not yet": revoked, redeemed)
// as NULL.
func (s *Store) ntv(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.e.Time(t)
}

// nullIfEmpty stores an empty optional unique string as NULL.
func nullIfEmpty(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// nilIfEmpty returns an empty scanned list as nil, the same on both engines.
func nilIfEmpty(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	return v
}
