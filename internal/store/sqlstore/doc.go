// Package sqlstore holds every GenAuth query once, for both SQL backends.
//
// A query is written one way: PostgreSQL's text, with $1, $2, ...
// placeholders and FOR UPDATE / FOR SHARE where a row lock orders
// concurrent writers. The engine (internal/store/sqlite or
// internal/store/postgres) runs it through its Engine, which owns the few
// differences between the two: how placeholders and row locks are spelled
// (the SQLite engine rewrites $N to ?N and drops row locks, since SQLite
// transactions take the whole database's write lock), how times and lists
// are stored (unix milliseconds and JSON text on SQLite, timestamptz and
// text[] on PostgreSQL), which column keeps the order rows were inserted in
// (rowid, seq), how transactions begin, and how driver errors map to the
// model's sentinels.
//
// What sqlstore owns: Store, whose methods are the storage operations both
// backends share, the tables and values `genauth db copy` moves (Source,
// CopyTables), and the Engine interface a backend implements. What it does
// not: connections, migrations, cluster locks, backup, and the copy's read
// transaction and COPY, which stay with each engine.
package sqlstore
