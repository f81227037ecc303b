-- Times are timestamptz (microseconds; the store converts to UTC on the way
-- out); "not yet" (revoked, redeemed) is NULL. Durations are bigint
-- nanoseconds. Lists are text[]; the address is jsonb.
-- Optional unique values (username, email, phone, token id) are NULL when
-- empty, so that many rows may leave them unset.
-- seq breaks ties between rows created at the same instant, as SQLite's rowid does.
-- There are no foreign keys to users or applications: the store never deletes
-- them, and a reference check would add an error the Store interface has no name for.

CREATE TABLE applications (
    seq                       bigint GENERATED ALWAYS AS IDENTITY,
    id                        text PRIMARY KEY,
    name                      text NOT NULL,
    secret_hash               text NOT NULL,
    redirect_uris             text[] NOT NULL,
    logout_redirect_uris      text[] NOT NULL,
    token_auth_method         text NOT NULL,
    introspection_auth_method text NOT NULL,
    revocation_auth_method    text NOT NULL,
    grant_types               text[] NOT NULL,
    access_token_ttl          bigint NOT NULL,
    refresh_token_ttl         bigint NOT NULL,
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL
);
CREATE INDEX applications_created_at ON applications (created_at, seq);

CREATE TABLE users (
    seq                bigint GENERATED ALWAYS AS IDENTITY,
    id                 text PRIMARY KEY,
    username           text UNIQUE,
    email              text,
    -- email_lower is the Unicode lower-cased email, computed in Go as the
    -- SQLite backend does, so both agree whatever the database's collation.
    email_lower        text UNIQUE,
    email_verified     boolean NOT NULL,
    phone              text UNIQUE,
    phone_verified     boolean NOT NULL,
    password_hash      text NOT NULL,
    name               text NOT NULL,
    given_name         text NOT NULL,
    family_name        text NOT NULL,
    middle_name        text NOT NULL,
    nickname           text NOT NULL,
    preferred_username text NOT NULL,
    profile            text NOT NULL,
    picture            text NOT NULL,
    website            text NOT NULL,
    gender             text NOT NULL,
    birthdate          text NOT NULL,
    zoneinfo           text NOT NULL,
    locale             text NOT NULL,
    address            jsonb NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX users_created_at ON users (created_at, seq);

CREATE TABLE sessions (
    id_hash    text PRIMARY KEY,
    user_id    text NOT NULL,
    auth_time  timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE auth_codes (
    hash                  text PRIMARY KEY,
    grant_id              text NOT NULL,
    client_id             text NOT NULL,
    user_id               text NOT NULL,
    redirect_uri          text NOT NULL,
    scope                 text NOT NULL,
    protocol              text NOT NULL,
    nonce                 text NOT NULL,
    code_challenge        text NOT NULL,
    code_challenge_method text NOT NULL,
    session_id_hash       text NOT NULL,
    auth_time             timestamptz NOT NULL,
    created_at            timestamptz NOT NULL,
    expires_at            timestamptz NOT NULL,
    redeemed_at           timestamptz
);
CREATE INDEX auth_codes_expires_at ON auth_codes (expires_at);

CREATE TABLE tokens (
    hash       text PRIMARY KEY,
    id         text UNIQUE,
    kind       text NOT NULL,
    grant_id   text NOT NULL,
    parent_id  text,
    client_id  text NOT NULL,
    user_id    text NOT NULL,
    scope      text NOT NULL,
    protocol   text NOT NULL,
    issued_at  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
-- A replayed code revokes its grant; revoking a refresh token revokes its children.
CREATE INDEX tokens_grant_id ON tokens (grant_id);
CREATE INDEX tokens_parent_id ON tokens (parent_id) WHERE parent_id IS NOT NULL;
-- The sweeper deletes in expiry order.
CREATE INDEX tokens_expires_at ON tokens (expires_at);
