-- Verification codes (issue 15, contract section 3): one live code per
-- (channel, destination). The destination and the code are stored only as
-- keyed hashes (HMAC under a key derived from the server secret), since a
-- 6-digit code's plain hash is reversed in a moment.
CREATE TABLE passcodes (
    channel     text NOT NULL,
    destination text NOT NULL,
    code_hash   text NOT NULL,
    tries       integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (channel, destination)
);
CREATE INDEX passcodes_expires ON passcodes (expires_at);
