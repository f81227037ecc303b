package store

import (
	"context"
	"time"
)

// PoolStats describes one database connection pool, for metrics.
type PoolStats struct {
	Pool         string // which pool: "write", "read" (SQLite) or "postgres"
	MaxOpen      int    // 0: unbounded
	Open         int
	InUse        int
	Idle         int
	WaitCount    int64         // connections that had to be waited for, ever
	WaitDuration time.Duration // total time spent waiting for them
}

// Operable is implemented by the backends for monitoring and `genauth
// doctor`. It is apart from Store so that test doubles need not implement it.
type Operable interface {
	// PoolStats reports the connection pools.
	PoolStats() []PoolStats
	// CountActiveSessions counts the sessions unexpired at now and used at or
	// after idleSince.
	CountActiveSessions(ctx context.Context, now, idleSince time.Time) (int, error)
	// PendingMigrations lists the embedded migrations the database lacks, in
	// order, without applying them; a database never migrated lacks them all.
	PendingMigrations(ctx context.Context) ([]string, error)
	// UnknownMigrations lists applied migrations this binary does not know:
	// the database was upgraded by a newer GenAuth.
	UnknownMigrations(ctx context.Context) ([]string, error)
}
