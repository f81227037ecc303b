-- Upstream identity providers (issue 17). An ExtIdp owns its connections;
-- applications enable connections; an identity links a user to an account at
-- an ExtIdp. As elsewhere there are no foreign keys: the store's deletions
-- remove what depends on a row, in the same transaction.
CREATE TABLE ext_idps (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    type       text NOT NULL,
    logo       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);

-- fields is the connection's settings as JSON; sealed_secret the client
-- secret or bind password sealed under the server key (NULL: none). type is
-- the ExtIdp's, which never changes.
CREATE TABLE ext_idp_conns (
    id            text PRIMARY KEY,
    ext_idp_id    text NOT NULL,
    type          text NOT NULL,
    identifier    text NOT NULL CONSTRAINT ext_idp_conns_identifier UNIQUE,
    display_name  text NOT NULL,
    logo          text NOT NULL DEFAULT '',
    login_only    boolean NOT NULL,
    fields        jsonb NOT NULL,
    sealed_secret bytea,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX ext_idp_conns_ext_idp ON ext_idp_conns (ext_idp_id, created_at);

CREATE TABLE app_ext_idp_conns (
    app_id  text NOT NULL,
    conn_id text NOT NULL,
    PRIMARY KEY (app_id, conn_id)
);
CREATE INDEX app_ext_idp_conns_conn ON app_ext_idp_conns (conn_id);

-- An upstream account links to one user, a user to one account per ExtIdp.
-- conn_id is the connection last signed in through; it stays when that
-- connection is deleted. profile is JSON; sealed_tokens the upstream's
-- tokens sealed (NULL: none kept).
CREATE TABLE user_identities (
    id            text PRIMARY KEY,
    user_id       text NOT NULL,
    ext_idp_id    text NOT NULL,
    conn_id       text NOT NULL,
    provider      text NOT NULL,
    subject       text NOT NULL,
    profile       jsonb NOT NULL,
    sealed_tokens bytea,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX user_identities_subject ON user_identities (ext_idp_id, subject);
CREATE UNIQUE INDEX user_identities_one_per_idp ON user_identities (user_id, ext_idp_id);
