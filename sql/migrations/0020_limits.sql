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
