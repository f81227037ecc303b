-- The sweeper (DeleteExpired) finds expired rows by these instead of scanning.
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX auth_codes_expires_at ON auth_codes (expires_at);
CREATE INDEX tokens_expires_at ON tokens (expires_at);
