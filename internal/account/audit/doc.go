// Package audit owns GenAuth's trail of security events: each event is one
// structured log line with stable field names and one row in the database,
// queryable with `genauth audit list`.
package audit
