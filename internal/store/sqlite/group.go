package sqlite

import (
	"context"
	"fmt"
	"sync"

	"github.com/opengenauth/genauth/internal/store/sqlstore"
)

// maxGroup bounds the calls one commit holds, and so how long the first
// of them waits for the last one's inserts.
const maxGroup = 64

// groupCall is one caller's function waiting for a group commit.
type groupCall struct {
	ctx  context.Context
	fn   func(sqlstore.Conn) error
	err  error
	lead bool          // woken to commit the next group, not with its result
	done chan struct{} // closed when err is set or lead is
}

// committer runs concurrent callers' short write transactions as one: a
// caller finding no commit running commits the callers waiting (itself
// first), in one BEGIN IMMEDIATE … COMMIT with a savepoint each. Callers
// arriving meanwhile queue, and the first of them commits the next group
// once this one is done: a lone caller never waits for a timer, and a busy
// server pays one commit for many callers.
type committer struct {
	s     *Store
	mu    sync.Mutex
	queue []*groupCall
	busy  bool // a caller is committing a group
}

// run runs fn in a group commit and returns fn's error or the commit's.
// The caller's context does not end the wait: like every write transaction
// here (see inTx) it is better finished than abandoned, and the wait is a
// commit or two long. So fn's writes are committed when run returns nil and
// none of them are when it returns an error.
func (g *committer) run(ctx context.Context, fn func(sqlstore.Conn) error) error {
	c := &groupCall{ctx: ctx, fn: fn, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.busy
	g.busy = true
	g.mu.Unlock()
	if !lead {
		<-c.done
		if !c.lead {
			return c.err
		}
	}
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	group := append([]*groupCall(nil), g.queue[:n]...)
	g.queue = g.queue[n:]
	g.mu.Unlock()
	g.commit(group)
	// The next leader takes its group now, so that it holds everyone who
	// queued during this commit.
	g.mu.Lock()
	if len(g.queue) > 0 {
		next := g.queue[0]
		next.lead = true
		close(next.done)
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	for _, m := range group[1:] {
		close(m.done)
	}
	return group[0].err
}

// commit runs group's functions in one transaction and sets every call's
// error.
func (g *committer) commit(group []*groupCall) {
	ctx := quick(group[0].ctx)
	fail := func(err error) {
		for _, m := range group {
			if m.err == nil {
				m.err = err
			}
		}
	}
	// Pending statements are prepared on the pool once conn is back in it.
	defer g.s.writes.preparePending(ctx)
	conn, err := g.s.write.Conn(ctx)
	if err != nil {
		fail(err)
		return
	}
	defer conn.Close()
	if len(group) > 1 {
		// Each savepoint copies the pages its caller changes first to a
		// sub-journal, a temporary file: a write(2) per page, a quarter of
		// a group's time. In memory for this transaction only (SQLite reads
		// the setting at BEGIN): on this connection it would also keep a
		// migration's index sort wholly in memory.
		if _, err := conn.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
			fail(err)
			return
		}
		defer func() { _, _ = conn.ExecContext(ctx, `PRAGMA temp_store = DEFAULT`) }()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		fail(err)
		return
	}
	// A function that panics must not leave the write connection in a
	// transaction and every later writer queued behind it: its group fails.
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			fail(fmt.Errorf("sqlite: a grouped write panicked: %v", p))
		}
	}()
	tc := txConn{tx, &g.s.writes}
	if len(group) == 1 {
		// The transaction alone undoes a lone caller's writes: savepoints
		// would add a third to its time.
		if group[0].err = group[0].fn(tc); group[0].err != nil {
			_ = tx.Rollback()
			return
		}
	} else if err := runSavepoints(ctx, tc, group); err != nil {
		// SQLite may have rolled the whole transaction back (a full disk,
		// an I/O error): nobody's writes are left to commit.
		_ = tx.Rollback()
		fail(err)
		return
	}
	if err := tx.Commit(); err != nil {
		fail(err)
		return
	}
	g.s.checkpoints.committed()
}

// runSavepoints runs each call's function in a savepoint, rolled back when
// the function fails, and sets its error. Its own error means the
// transaction is lost.
func runSavepoints(ctx context.Context, conn txConn, group []*groupCall) error {
	for _, m := range group {
		if _, err := conn.Exec(ctx, `SAVEPOINT grp`); err != nil {
			return err
		}
		if m.err = m.fn(conn); m.err != nil {
			if _, err := conn.Exec(ctx, `ROLLBACK TO grp`); err != nil {
				return err
			}
		}
		if _, err := conn.Exec(ctx, `RELEASE grp`); err != nil {
			return err
		}
	}
	return nil
}

var _ sqlstore.Grouper = engine{}

func (e engine) InGroupTx(ctx context.Context, fn func(sqlstore.Conn) error) error {
	return e.s.group.run(ctx, fn)
}
