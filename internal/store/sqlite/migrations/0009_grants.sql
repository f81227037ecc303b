-- When an access token that a refresh token rotation issued was first used
-- while a retry of the rotated token could still replace it (issue 13).
ALTER TABLE tokens ADD COLUMN used_at INTEGER;
