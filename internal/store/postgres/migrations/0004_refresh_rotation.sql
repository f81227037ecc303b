-- Refresh token rotation (RFC 9700 section 4.14.2) and per-application PKCE policy.
-- Existing applications keep the classic behaviour; new ones rotate by default.
ALTER TABLE applications ADD COLUMN rotate_refresh_tokens boolean NOT NULL DEFAULT false;
ALTER TABLE applications ADD COLUMN refresh_grace_period bigint NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN refresh_idle_ttl bigint NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN reject_pkce_plain boolean NOT NULL DEFAULT false;
-- When a refresh token was replaced by rotation; it is revoked at the same moment.
ALTER TABLE tokens ADD COLUMN rotated_at timestamptz;
