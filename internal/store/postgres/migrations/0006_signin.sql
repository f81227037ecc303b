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
