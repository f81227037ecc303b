-- Keyset pages (issue 18). Users are listed newest first by (created_at, id);
-- audit events newest first by (time, seq), by type, user or client too.
-- The user searches range-scan the unique indexes of username_key,
-- email_lower and phone. A prefix is a range only in a bytewise order (a
-- language's collation may sort "a-c" between "ab" and "ad"), so these
-- columns compare in the "C" collation, as SQLite compares them; equality,
-- and so uniqueness, is unchanged. The indexes on them are rebuilt.
ALTER TABLE users ALTER COLUMN username_key TYPE text COLLATE "C";
ALTER TABLE users ALTER COLUMN email_lower TYPE text COLLATE "C";
ALTER TABLE users ALTER COLUMN phone TYPE text COLLATE "C";
CREATE INDEX users_created_id ON users (created_at, id);
CREATE INDEX audit_events_type ON audit_events (type, time, seq);
CREATE INDEX audit_events_client ON audit_events (client_id, time, seq) WHERE client_id <> '';
-- The older audit indexes get seq too, so that no page sorts its ties.
DROP INDEX audit_events_time;
CREATE INDEX audit_events_time ON audit_events (time, seq);
DROP INDEX audit_events_user;
CREATE INDEX audit_events_user ON audit_events (user_id, time, seq) WHERE user_id <> '';
