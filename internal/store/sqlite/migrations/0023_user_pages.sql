-- Keyset pages (issue 18). Users are listed newest first by (created_at, id);
-- audit events by type or client newest first, each index ending in the rowid,
-- which is seq. The user searches range-scan the unique indexes of
-- username_key, email_lower and phone: SQLite compares text bytewise, which
-- keeps the values sharing a prefix together.
CREATE INDEX users_created_id ON users (created_at, id);
CREATE INDEX audit_events_type ON audit_events (type, time);
CREATE INDEX audit_events_client ON audit_events (client_id, time) WHERE client_id <> '';
