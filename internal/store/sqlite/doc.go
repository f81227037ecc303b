// Package sqlite is GenAuth's SQLite backend, built on the pure-Go
// modernc.org/sqlite driver (no cgo). It implements the store interface of
// every package that keeps data (see package store) by embedding sqlstore,
// where every query is written once, and giving it an engine (engine.go):
// $N placeholders rewritten to ?N, row locks dropped, times as unix
// milliseconds, lists as JSON.
//
// It owns the connections, the schema (embedded migrations in
// migrations/), the prepared-statement cache, Backup and Export. The
// database runs in WAL mode with one writer connection, whose transactions
// begin IMMEDIATE, and a small pool of query-only readers, so writes queue in
// Go instead of failing with SQLITE_BUSY and reads run in parallel.
package sqlite
