-- Per-application settings of issue 13: the scopes client_credentials may ask
-- for, the claim format of OpenID Connect userinfo and id tokens, and the
-- browser origins allowed to call the protocol endpoints (CORS).
-- Applications that could use client_credentials keep asking for any scope
-- ('*'), as before; others, and new ones, may ask for none until some are listed.
ALTER TABLE applications ADD COLUMN allowed_scopes text NOT NULL DEFAULT '';
UPDATE applications SET allowed_scopes = '*' WHERE 'client_credentials' = ANY (grant_types);
ALTER TABLE applications ADD COLUMN claims_format text NOT NULL DEFAULT 'standard';
-- An empty list means the origins of the login callbacks.
ALTER TABLE applications ADD COLUMN web_origins text[] NOT NULL DEFAULT '{}';
