-- How a login signed in (issue 16): "passkey" for a passwordless sign-in,
-- shown as the login history's loginMethod. Logins from before, and those
-- whose method is not told, say nothing.
ALTER TABLE login_history ADD COLUMN method TEXT NOT NULL DEFAULT '';
