-- Audit events get the key PostgreSQL's have, seq, so that one query text
-- orders and sweeps them on both backends. seq is an INTEGER PRIMARY KEY,
-- SQLite's name for the rowid: every event keeps the rowid it had, and the
-- order by insertion with it. SQLite cannot add a primary key to a table,
-- so the table is made anew.
CREATE TABLE audit_events_seq (
    seq       INTEGER PRIMARY KEY,
    time      INTEGER NOT NULL,
    type      TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    client_id TEXT NOT NULL,
    ip        TEXT NOT NULL,
    detail    TEXT NOT NULL
);
INSERT INTO audit_events_seq (seq, time, type, user_id, client_id, ip, detail)
    SELECT rowid, time, type, user_id, client_id, ip, detail FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_seq RENAME TO audit_events;
CREATE INDEX audit_events_time ON audit_events (time);
CREATE INDEX audit_events_user ON audit_events (user_id, time) WHERE user_id <> '';
