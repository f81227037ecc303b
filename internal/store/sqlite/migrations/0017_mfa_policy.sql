-- MFA policies (issue 16): per application, and for the whole user pool in
-- settings, the installation's own key-value settings. Existing
-- applications ask no one to enroll, as before.
ALTER TABLE applications ADD COLUMN mfa_policy TEXT NOT NULL DEFAULT 'off';
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
