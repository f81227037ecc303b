-- Management API: user status and profile extras, application descriptions,
-- the user pool's access key, request signature nonces, login history.
ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'Activated';
ALTER TABLE users ADD COLUMN external_id text;
ALTER TABLE users ADD COLUMN custom_data jsonb NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN source_type text NOT NULL DEFAULT 'register';
ALTER TABLE users ADD COLUMN logins_count integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_login timestamptz;
ALTER TABLE users ADD COLUMN last_ip text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_external_id ON users (external_id);
CREATE INDEX users_updated_at ON users (updated_at);

ALTER TABLE applications ADD COLUMN app_identifier text;
ALTER TABLE applications ADD COLUMN logo text NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN description text NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN app_type text NOT NULL DEFAULT 'web';
ALTER TABLE applications ADD COLUMN default_protocol text NOT NULL DEFAULT 'oidc';
ALTER TABLE applications ADD COLUMN init_login_uri text NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN sso_enabled boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX applications_app_identifier ON applications (app_identifier);

-- Signing a user out and deleting a user find their rows by these.
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX tokens_user_id ON tokens (user_id, client_id);
CREATE INDEX auth_codes_user_id ON auth_codes (user_id);

-- One row at most: the singleton key makes a second insert conflict.
CREATE TABLE access_keys (
    singleton     integer PRIMARY KEY CHECK (singleton = 1),
    id            text NOT NULL,
    sealed_secret bytea NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE signature_nonces (
    nonce      text PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX signature_nonces_expires_at ON signature_nonces (expires_at);

CREATE TABLE login_history (
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    user_id    text NOT NULL,
    app_id     text NOT NULL,
    client_ip  text NOT NULL,
    user_agent text NOT NULL,
    time       timestamptz NOT NULL
);
CREATE INDEX login_history_user_time ON login_history (user_id, time);
