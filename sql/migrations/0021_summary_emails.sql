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
