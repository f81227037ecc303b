-- Second factors (issue 16, contract section 6): one row per factor, the
-- secret sealed under the server key. One factor of a kind per user, except
-- passkeys; a passkey's credential id is unique across users, since a
-- passwordless sign-in finds the user by it.
CREATE TABLE mfa_factors (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    type          TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    credential_id TEXT,
    sealed        BLOB NOT NULL,
    counter       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX mfa_factors_user ON mfa_factors (user_id, created_at);
CREATE UNIQUE INDEX mfa_factors_one_per_kind ON mfa_factors (user_id, type) WHERE type <> 'WEBAUTHN';
CREATE UNIQUE INDEX mfa_factors_credential ON mfa_factors (credential_id) WHERE credential_id IS NOT NULL;

-- Recovery codes: ten single-use codes per user, kept as keyed hashes.
CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (user_id, code_hash)
);
