-- OpenID Connect: per-application id token settings, signing keys, consents.
ALTER TABLE applications ADD COLUMN id_token_ttl bigint NOT NULL DEFAULT 3600000000000;
ALTER TABLE applications ADD COLUMN id_token_alg text NOT NULL DEFAULT 'RS256';
ALTER TABLE applications ADD COLUMN require_consent boolean NOT NULL DEFAULT false;

CREATE TABLE signing_keys (
    id                text PRIMARY KEY,
    alg               text NOT NULL,
    public_der        bytea NOT NULL,
    encrypted_private bytea NOT NULL,
    created_at        timestamptz NOT NULL,
    activates_at      timestamptz NOT NULL
);

CREATE TABLE consents (
    user_id    text NOT NULL,
    client_id  text NOT NULL,
    scopes     text[] NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
