-- Reminder emails per account per day, as pushes (0020_limits.sql): only the first few of an
-- account's local day go one by one; past those, one "You have N people to follow up" email
-- for that day (summary_day), so a flood of new contacts is one email, not hundreds.
ALTER TABLE emails
    ADD COLUMN summary_day date,
    DROP CONSTRAINT emails_kind_check,
    ADD CONSTRAINT emails_kind_check
        CHECK (kind IN ('met', 'reminder', 'digest', 'confirm', 'code', 'delete_code', 'summary')),
    ADD CONSTRAINT emails_summary_day CHECK ((kind = 'summary') = (summary_day IS NOT NULL));
CREATE UNIQUE INDEX emails_summary_once ON emails (account_id, summary_day) WHERE kind = 'summary';

-- Wrong codes (six-digit swap codes, event join codes, move codes) are counted by the one
-- limits mechanism (limit_hits, take_limit()/limit_wait() in sql/logic.sql) instead of tables
-- and advisory locks of their own. What they counted within their windows comes along, keyed
-- as the code now keys it (server/tap/codes.py, server/events/joining.py,
-- server/signin/moving.py), so a deploy lets nobody guess afresh.
INSERT INTO limit_hits (bucket, key, at)
SELECT 'account-code-misses', account_id::text, at FROM code_misses
WHERE account_id IS NOT NULL AND at > now() - interval '1 hour'
UNION ALL
SELECT 'address-code-misses', host(ip), at FROM code_misses
WHERE ip IS NOT NULL AND at > now() - interval '1 hour'
UNION ALL
SELECT 'account-join-misses', account_id::text, at FROM join_misses
WHERE account_id IS NOT NULL AND at > now() - interval '1 hour'
UNION ALL
SELECT 'address-join-misses', host(ip), at FROM join_misses
WHERE ip IS NOT NULL AND at > now() - interval '1 hour'
UNION ALL
SELECT 'address-move-misses', ip, at FROM move_misses
WHERE at > now() - interval '10 minutes';
DROP TABLE code_misses, join_misses, move_misses;
