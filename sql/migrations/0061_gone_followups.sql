-- Follow-ups that went with their contact (review r71): the other person removed or blocked
-- me, or deleted their account, or I removed them (or a merge of two accounts made two rows
-- for one person one). The calendar file (server/followups/calendar_file.py) keeps entries by
-- UID: one simply missing from the next file stays in a calendar that imported it, alarm and
-- all, for good. So each such follow-up is kept here for 30 days
-- (calendar_file.CANCELLED_DAYS), as a number and when it was due, with no name: the file
-- cancels it (followups.upcoming_for_calendar), and retention deletes it after
-- (retention.gone_followups). The owner's own account deletion takes them with it.
--
-- Undo of a Remove puts the follow-up back with the same id: the live row then wins, with a
-- SEQUENCE above the cancellation's (the calendar query), so nothing here needs deleting.
CREATE TABLE gone_followups (
    followup_id bigint PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    due_at timestamptz NOT NULL,
    gone_at timestamptz NOT NULL DEFAULT now()
);
-- The calendar file's (one owner's, latest first); the cascade of an account deletion too.
CREATE INDEX gone_followups_owner ON gone_followups (owner_id, gone_at);
-- Retention's.
CREATE INDEX gone_followups_gone_at ON gone_followups (gone_at);

-- Every way a follow-up goes is its contact row going (the cascade from contacts, or from
-- accounts through them), so one trigger on followups sees them all, and a path added later
-- too. Per statement, with the rows it deleted: one INSERT for a statement deleting many, not
-- one per row. One whose owner is gone (its own account deletion) is nobody's to cancel. Deleted
-- again after an Undo brought it back: the later time.
CREATE FUNCTION keep_gone_followups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO gone_followups (followup_id, owner_id, due_at)
    SELECT o.id, o.owner_id, o.due_at FROM gone o
    WHERE EXISTS (SELECT 1 FROM accounts a WHERE a.id = o.owner_id)
    ON CONFLICT (followup_id) DO UPDATE
    SET owner_id = EXCLUDED.owner_id, due_at = EXCLUDED.due_at, gone_at = EXCLUDED.gone_at;
    RETURN NULL;
END
$$;

CREATE TRIGGER followups_keep_gone AFTER DELETE ON followups
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION keep_gone_followups();
