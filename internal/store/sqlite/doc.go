// Package sqlite is GenAuth's SQLite backend, built on the pure-Go
// modernc.org/sqlite driver (no cgo). It implements the store interface of
// every package that keeps data (see package store).
//
// It owns the schema (embedded migrations in migrations/) and the SQL. The
// database runs in WAL mode with one writer connection, whose transactions
// begin IMMEDIATE, and a small pool of query-only readers, so writes queue in
// Go instead of failing with SQLITE_BUSY and reads run in parallel.
package sqlite
