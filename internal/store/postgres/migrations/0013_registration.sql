-- Per-application registration settings (issue 15): whether new users may
-- sign up through the application, and whether they must first prove their
-- email address. Existing applications stay open, as before.
ALTER TABLE applications ADD COLUMN registration_closed boolean NOT NULL DEFAULT false;
ALTER TABLE applications ADD COLUMN registration_email_verify boolean NOT NULL DEFAULT false;
-- The application a self-registered user signed up through (userSourceId).
ALTER TABLE users ADD COLUMN source_id text NOT NULL DEFAULT '';
