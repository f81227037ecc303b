-- How a session's user signed in (issue 16): the RFC 8176 "amr" values,
-- carried by its authorization codes into their id tokens. Sessions and
-- codes from before say nothing, and their id tokens carry no amr.
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT '[]';
ALTER TABLE auth_codes ADD COLUMN amr TEXT NOT NULL DEFAULT '[]';
