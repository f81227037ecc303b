package model

import "time"

// PoolStats describes one database connection pool, for metrics and `genauth doctor`.
type PoolStats struct {
	Pool         string // which pool: "write", "read" (SQLite) or "postgres"
	MaxOpen      int    // 0: unbounded
	Open         int
	InUse        int
	Idle         int
	WaitCount    int64         // connections that had to be waited for, ever
	WaitDuration time.Duration // total time spent waiting for them
}
