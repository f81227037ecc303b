-- Session idle limits, login and registration throttles, the audit trail.
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL;

CREATE TABLE throttles (
    key          text PRIMARY KEY,
    count        integer NOT NULL,
    window_start timestamptz NOT NULL,
    locked_until timestamptz
);

CREATE TABLE audit_events (
    seq       bigserial PRIMARY KEY,
    time      timestamptz NOT NULL,
    type      text NOT NULL,
    user_id   text NOT NULL,
    client_id text NOT NULL,
    ip        text NOT NULL,
    detail    text NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (time);
CREATE INDEX audit_events_user ON audit_events (user_id, time) WHERE user_id <> '';
