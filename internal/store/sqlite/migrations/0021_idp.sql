-- Upstream identity providers (issue 17). An ExtIdp owns its connections;
-- applications enable connections; an identity links a user to an account at
-- an ExtIdp. As elsewhere there are no foreign keys: the store's deletions
-- remove what depends on a row, in the same transaction.
CREATE TABLE ext_idps (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    logo       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

-- fields is the connection's settings as JSON; sealed_secret the client
-- secret or bind password sealed under the server key (NULL: none). type is
-- the ExtIdp's, which never changes.
CREATE TABLE ext_idp_conns (
    id            TEXT PRIMARY KEY,
    ext_idp_id    TEXT NOT NULL,
    type          TEXT NOT NULL,
    identifier    TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    logo          TEXT NOT NULL DEFAULT '',
    login_only    INTEGER NOT NULL,
    fields        TEXT NOT NULL,
    sealed_secret BLOB,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX ext_idp_conns_ext_idp ON ext_idp_conns (ext_idp_id, created_at);

CREATE TABLE app_ext_idp_conns (
    app_id  TEXT NOT NULL,
    conn_id TEXT NOT NULL,
    PRIMARY KEY (app_id, conn_id)
);
CREATE INDEX app_ext_idp_conns_conn ON app_ext_idp_conns (conn_id);

-- An upstream account links to one user, a user to one account per ExtIdp.
-- conn_id is the connection last signed in through; it stays when that
-- connection is deleted. profile is JSON; sealed_tokens the upstream's
-- tokens sealed (NULL: none kept).
CREATE TABLE user_identities (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    ext_idp_id    TEXT NOT NULL,
    conn_id       TEXT NOT NULL,
    provider      TEXT NOT NULL,
    subject       TEXT NOT NULL,
    profile       TEXT NOT NULL,
    sealed_tokens BLOB,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX user_identities_subject ON user_identities (ext_idp_id, subject);
CREATE UNIQUE INDEX user_identities_one_per_idp ON user_identities (user_id, ext_idp_id);
