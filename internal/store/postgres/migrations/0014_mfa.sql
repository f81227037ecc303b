-- Second factors (issue 16, contract section 6): one row per factor, the
-- secret sealed under the server key. One factor of a kind per user, except
-- passkeys; a passkey's credential id is unique across users, since a
-- passwordless sign-in finds the user by it.
CREATE TABLE mfa_factors (
    id            text PRIMARY KEY,
    user_id       text NOT NULL,
    type          text NOT NULL,
    name          text NOT NULL DEFAULT '',
    address       text NOT NULL DEFAULT '',
    credential_id text,
    sealed        bytea NOT NULL,
    counter       bigint NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL,
    last_used_at  timestamptz
);
CREATE INDEX mfa_factors_user ON mfa_factors (user_id, created_at);
CREATE UNIQUE INDEX mfa_factors_one_per_kind ON mfa_factors (user_id, type) WHERE type <> 'WEBAUTHN';
CREATE UNIQUE INDEX mfa_factors_credential ON mfa_factors (credential_id) WHERE credential_id IS NOT NULL;

-- Recovery codes: ten single-use codes per user, kept as keyed hashes.
CREATE TABLE recovery_codes (
    user_id    text NOT NULL,
    code_hash  text NOT NULL,
    created_at timestamptz NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
