-- The access token format per application (opaque or jwt). Existing
-- applications keep opaque tokens so that nothing changes under a running
-- deployment; new ones get jwt or opaque by protocol when created.
ALTER TABLE applications ADD COLUMN access_token_format TEXT NOT NULL DEFAULT 'opaque';
