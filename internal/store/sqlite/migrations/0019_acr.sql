-- How strongly a grant's user was authenticated (issue 16): the id token's
-- "acr", chosen at authorization from the request's acr_values and the
-- session's amr, kept on the code and on refresh tokens so that refreshed id
-- tokens say the same. Rows from before say nothing, and carry no acr.
ALTER TABLE auth_codes ADD COLUMN acr TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN acr TEXT NOT NULL DEFAULT '';
