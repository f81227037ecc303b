-- Messages to send (issue 15): email and SMS, written before the answer
-- that announces them and drained by the senders of `genauth serve`. The
-- content (recipient, code) is sealed under the server secret.
CREATE TABLE outbox (
    id              text PRIMARY KEY,
    kind            text NOT NULL,
    sealed          bytea NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    failed_at       timestamptz,
    last_error      text NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_done ON outbox ((coalesce(sent_at, failed_at)));
