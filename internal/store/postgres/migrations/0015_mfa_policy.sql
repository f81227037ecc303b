-- MFA policies (issue 16): per application, and for the whole user pool in
-- settings, the installation's own key-value settings. Existing
-- applications ask no one to enroll, as before.
ALTER TABLE applications ADD COLUMN mfa_policy text NOT NULL DEFAULT 'off';
CREATE TABLE settings (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL
);
