-- Per-application registration settings (issue 15): whether new users may
-- sign up through the application, and whether they must first prove their
-- email address. Existing applications stay open, as before.
ALTER TABLE applications ADD COLUMN registration_closed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN registration_email_verify INTEGER NOT NULL DEFAULT 0;
-- The application a self-registered user signed up through (userSourceId).
ALTER TABLE users ADD COLUMN source_id TEXT NOT NULL DEFAULT '';
