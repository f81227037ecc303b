-- Per-application settings of issue 13: the scopes client_credentials may ask
-- for, the claim format of OpenID Connect userinfo and id tokens, and the
-- browser origins allowed to call the protocol endpoints (CORS).
-- Applications that could use client_credentials keep asking for any scope
-- ('*'), as before; others, and new ones, may ask for none until some are listed.
ALTER TABLE applications ADD COLUMN allowed_scopes TEXT NOT NULL DEFAULT '';
UPDATE applications SET allowed_scopes = '*'
    WHERE EXISTS (SELECT 1 FROM json_each(grant_types) WHERE value = 'client_credentials');
ALTER TABLE applications ADD COLUMN claims_format TEXT NOT NULL DEFAULT 'standard';
-- A JSON list; [] means the origins of the login callbacks.
ALTER TABLE applications ADD COLUMN web_origins TEXT NOT NULL DEFAULT '[]';
