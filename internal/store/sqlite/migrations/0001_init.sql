-- Times are INTEGER unix milliseconds (UTC); "not yet" (revoked, redeemed) is NULL.
-- Durations are INTEGER nanoseconds. Lists are JSON arrays in TEXT.
-- Optional unique values (username, email, phone, token id) are NULL when empty,
-- so that many rows may leave them unset.
-- There are no foreign keys to users or applications: the store never deletes
-- them, and a reference check would add an error the Store interface has no name for.

CREATE TABLE applications (
    id                        TEXT PRIMARY KEY,
    name                      TEXT NOT NULL,
    secret_hash               TEXT NOT NULL,
    redirect_uris             TEXT NOT NULL,
    logout_redirect_uris      TEXT NOT NULL,
    token_auth_method         TEXT NOT NULL,
    introspection_auth_method TEXT NOT NULL,
    revocation_auth_method    TEXT NOT NULL,
    grant_types               TEXT NOT NULL,
    access_token_ttl          INTEGER NOT NULL,
    refresh_token_ttl         INTEGER NOT NULL,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
);
CREATE INDEX applications_created_at ON applications (created_at);

CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    username           TEXT UNIQUE,
    email              TEXT,
    -- email_lower is the Unicode lower-cased email, computed in Go: SQLite's
    -- lower() folds ASCII only. It makes emails unique and found case-insensitively.
    email_lower        TEXT UNIQUE,
    email_verified     INTEGER NOT NULL,
    phone              TEXT UNIQUE,
    phone_verified     INTEGER NOT NULL,
    password_hash      TEXT NOT NULL,
    name               TEXT NOT NULL,
    given_name         TEXT NOT NULL,
    family_name        TEXT NOT NULL,
    middle_name        TEXT NOT NULL,
    nickname           TEXT NOT NULL,
    preferred_username TEXT NOT NULL,
    profile            TEXT NOT NULL,
    picture            TEXT NOT NULL,
    website            TEXT NOT NULL,
    gender             TEXT NOT NULL,
    birthdate          TEXT NOT NULL,
    zoneinfo           TEXT NOT NULL,
    locale             TEXT NOT NULL,
    address            TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX users_created_at ON users (created_at);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    auth_time  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE auth_codes (
    hash                  TEXT PRIMARY KEY,
    grant_id              TEXT NOT NULL,
    client_id             TEXT NOT NULL,
    user_id               TEXT NOT NULL,
    redirect_uri          TEXT NOT NULL,
    scope                 TEXT NOT NULL,
    protocol              TEXT NOT NULL,
    nonce                 TEXT NOT NULL,
    code_challenge        TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL,
    session_id_hash       TEXT NOT NULL,
    auth_time             INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    expires_at            INTEGER NOT NULL,
    redeemed_at           INTEGER
);

CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    id         TEXT UNIQUE,
    kind       TEXT NOT NULL,
    grant_id   TEXT NOT NULL,
    parent_id  TEXT,
    client_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    scope      TEXT NOT NULL,
    protocol   TEXT NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
-- A replayed code revokes its grant; revoking a refresh token revokes its children.
CREATE INDEX tokens_grant_id ON tokens (grant_id);
CREATE INDEX tokens_parent_id ON tokens (parent_id) WHERE parent_id IS NOT NULL;
