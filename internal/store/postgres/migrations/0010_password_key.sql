-- The RSA key clients encrypt passwords to; one row at most: the singleton
-- key makes a second insert conflict, so nodes starting together keep one.
CREATE TABLE password_keys (
    singleton      integer PRIMARY KEY CHECK (singleton = 1),
    public_der     bytea NOT NULL,
    sealed_private bytea NOT NULL,
    created_at     timestamptz NOT NULL
);
