-- The RSA key clients encrypt passwords to; one row at most: the singleton
-- key makes a second insert conflict, so nodes starting together keep one.
CREATE TABLE password_keys (
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    public_der     BLOB NOT NULL,
    sealed_private BLOB NOT NULL,
    created_at     INTEGER NOT NULL
);
