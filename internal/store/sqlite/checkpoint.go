package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

const (
	// writerCheckpointPages is the log size at which the writer checkpoints
	// itself (SQLite's default is 1,000): only when the checkpointer has
	// fallen that far behind.
	writerCheckpointPages = 10000
	// checkpointGap is the least time between two of the checkpointer's
	// runs, so that one run copies the pages of many commits.
	checkpointGap = 100 * time.Millisecond
)

// checkpointer copies the write-ahead log into the database file from a
// connection of its own. Left to SQLite, the committing writer does it
// after every 1,000 pages logged, copying and syncing while every other
// writer waits for it; measured, that cost the write flows a quarter of
// their throughput. A PASSIVE checkpoint takes no lock a writer or reader
// waits for, so commits go on meanwhile.
type checkpointer struct {
	db   *sql.DB
	wake chan struct{} // a commit happened since the last run
	stop chan struct{}
	done chan struct{}
	once sync.Once // a Store may be closed twice
}

func newCheckpointer(db *sql.DB) *checkpointer {
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// committed tells the checkpointer there is log to copy; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	gap := time.NewTimer(0)
	defer gap.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}
		// A failure (the file busy with a backup, say) leaves the log to
		// the next run or to the writer's own checkpoint.
		_, _ = c.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
		gap.Reset(checkpointGap)
		select {
		case <-c.stop:
			return
		case <-gap.C:
		}
	}
}

func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	return c.db.Close()
}
