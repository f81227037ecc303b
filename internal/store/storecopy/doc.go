// Package storecopy defines how one backend's contents are read out for
// another to load: a Source of every row, as stored (hashes and sealed keys
// stay as they are; nothing is re-minted). The sqlite backend exports one
// (sqlite.Store.Export), the postgres backend imports one
// (postgres.Store.Import); `genauth db copy` connects the two.
package storecopy
