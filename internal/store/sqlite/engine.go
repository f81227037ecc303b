package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/opengenauth/genauth/internal/store/sqlstore"
)

// engine is what the shared queries (sqlstore) need of SQLite: the read
// pool for reads, the one write connection for writes and transactions,
// times as unix milliseconds and lists as JSON text.
type engine struct{ s *Store }

var _ sqlstore.Engine = engine{}

func (e engine) Reader() sqlstore.Conn { return poolConn{e.s.read, &e.s.reads} }

func (e engine) Writer() sqlstore.Conn { return poolConn{e.s.write, &e.s.writes} }

func (e engine) InTx(ctx context.Context, fn func(sqlstore.Conn) error) error {
	return e.s.inTx(ctx, func(tx *sql.Tx) error { return fn(txConn{tx, &e.s.writes}) })
}

func (engine) Time(t time.Time) any { return t.UnixMilli() }

func (engine) List(v []string) any { return jsonList(v) }

func (engine) ListDest(v *[]string) any { return listDest{v} }

func (engine) Err(op string, err error) error { return mapErr(op, err) }

func (engine) RowOrder() string { return "rowid" }

// listDest scans a list stored as JSON text.
type listDest struct{ v *[]string }

func (d listDest) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("sqlite: cannot scan %T into a list", src)
	}
	*d.v = nil
	if err := json.Unmarshal(b, d.v); err != nil {
		return fmt.Errorf("corrupt list column: %w", err)
	}
	return nil
}
