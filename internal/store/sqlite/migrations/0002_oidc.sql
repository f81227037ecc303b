-- OpenID Connect: per-application id token settings, signing keys, consents.
ALTER TABLE applications ADD COLUMN id_token_ttl INTEGER NOT NULL DEFAULT 3600000000000;
ALTER TABLE applications ADD COLUMN id_token_alg TEXT NOT NULL DEFAULT 'RS256';
ALTER TABLE applications ADD COLUMN require_consent INTEGER NOT NULL DEFAULT 0;

CREATE TABLE signing_keys (
    id                TEXT PRIMARY KEY,
    alg               TEXT NOT NULL,
    public_der        BLOB NOT NULL,
    encrypted_private BLOB NOT NULL,
    created_at        INTEGER NOT NULL,
    activates_at      INTEGER NOT NULL
);

CREATE TABLE consents (
    user_id    TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
