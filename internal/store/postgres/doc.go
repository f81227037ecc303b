// Package postgres is GenAuth's PostgreSQL backend, built on
// github.com/jackc/pgx/v5 and its pgxpool connection pool. It implements the
// store interface of every package that keeps data (see package store) by
// embedding sqlstore, where every query is written once, and giving it an
// engine (engine.go): the pool, transactions, timestamptz and text[].
//
// It owns the connections, the PostgreSQL schema (embedded migrations in
// migrations/, applied under an advisory lock so that nodes starting
// together take turns), the cluster lock and Import (COPY). It keeps no state between calls: every node of a cluster
// sees every other node's writes at once. Atomic operations rely on row locks
// under READ COMMITTED: a code is redeemed by one conditional UPDATE, and a
// refresh holds a share lock on its parent token that a revocation must wait for.
package postgres
