-- Management API: user status and profile extras, application descriptions,
-- the user pool's access key, request signature nonces, login history.
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'Activated';
ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN custom_data TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN source_type TEXT NOT NULL DEFAULT 'register';
ALTER TABLE users ADD COLUMN logins_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_login INTEGER;
ALTER TABLE users ADD COLUMN last_ip TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_external_id ON users (external_id);
CREATE INDEX users_updated_at ON users (updated_at);

ALTER TABLE applications ADD COLUMN app_identifier TEXT;
ALTER TABLE applications ADD COLUMN logo TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN app_type TEXT NOT NULL DEFAULT 'web';
ALTER TABLE applications ADD COLUMN default_protocol TEXT NOT NULL DEFAULT 'oidc';
ALTER TABLE applications ADD COLUMN init_login_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN sso_enabled INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX applications_app_identifier ON applications (app_identifier);

-- Signing a user out and deleting a user find their rows by these.
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX tokens_user_id ON tokens (user_id, client_id);
CREATE INDEX auth_codes_user_id ON auth_codes (user_id);

-- One row at most: the singleton key makes a second insert conflict.
CREATE TABLE access_keys (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    id            TEXT NOT NULL,
    sealed_secret BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE signature_nonces (
    nonce      TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX signature_nonces_expires_at ON signature_nonces (expires_at);

CREATE TABLE login_history (
    user_id    TEXT NOT NULL,
    app_id     TEXT NOT NULL,
    client_ip  TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    time       INTEGER NOT NULL
);
CREATE INDEX login_history_user_time ON login_history (user_id, time);
