-- One limits mechanism: every "N per hour" counts here, per rule (bucket) and key (an
-- account, a share link's owner, an address). take_limit() in sql/logic.sql counts and adds
-- under an advisory lock on (bucket, key), so concurrent requests in any web process cannot
-- slip past. Kept for RETAIN_ATTEMPTS_DAYS, like the other attempts.
CREATE TABLE limit_hits (
    bucket text NOT NULL,
    key text NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX limit_hits_key ON limit_hits (bucket, key, at);
CREATE INDEX limit_hits_at ON limit_hits (at);

-- Reminders per account per day: beyond a few, one "You have N people to follow up" instead
-- of one push each (a flood of contacts must not become a flood of notifications).
-- followups.queued_at: when its last round was queued, to count an account's reminders today.
ALTER TABLE followups ADD COLUMN queued_at timestamptz;
CREATE INDEX followups_owner_queued ON followups (owner_id, queued_at);
-- A summary delivery: for summary_account_id, once per device and local day (summary_day).
ALTER TABLE deliveries
    ADD COLUMN summary_account_id bigint REFERENCES accounts ON DELETE CASCADE,
    ADD COLUMN summary_day date,
    DROP CONSTRAINT deliveries_one_kind,
    ADD CONSTRAINT deliveries_one_kind CHECK (
        num_nonnulls(followup_id, request_id, digest_event_id, summary_account_id) = 1
        AND (digest_event_id IS NULL) = (digest_account_id IS NULL)
        AND (summary_account_id IS NULL) = (summary_day IS NULL)
    );
CREATE UNIQUE INDEX deliveries_summary_once
    ON deliveries (summary_account_id, summary_day, subscription_id)
    WHERE summary_account_id IS NOT NULL;
