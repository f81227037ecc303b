-- Sign-in hardening (issue 13).
-- Usernames are unique by their RFC 8265 UsernameCaseMapped form, username_key,
-- which only Go computes: the migration's Go step (fillUsernameKeys) fills it
-- for the users already stored. A database may hold usernames that differ only
-- in case, width or spacing: the oldest keeps its key unmarked, each later one
-- is marked with its own id in username_dup, so the index below holds without
-- merging or renaming anybody; `genauth doctor` reports them.
ALTER TABLE users ADD COLUMN username_key text;
ALTER TABLE users ADD COLUMN username_dup text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_username_key_unique ON users (username_key, username_dup);

-- Throttle rows are swept once their window and lock are over (expires_at).
-- Rows of older versions get the default window, an hour. Unknown logins were
-- kept in clear (a password typed in the username box stayed in the table):
-- they are dropped; new ones are stored as keyed hashes.
-- The default serves rows that a node of an older version writes.
ALTER TABLE throttles ADD COLUMN expires_at timestamptz;
UPDATE throttles SET expires_at = greatest(window_start + interval '1 hour', locked_until);
ALTER TABLE throttles ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE throttles ALTER COLUMN expires_at SET DEFAULT now() + interval '1 hour';
CREATE INDEX throttles_expires_at ON throttles (expires_at);
DELETE FROM throttles WHERE key LIKE 'login:name:%';
