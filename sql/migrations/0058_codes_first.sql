-- Codes first: a flood of "You met" (waited for too) queued ahead of a sign-in code held it
-- back until it expired (Composer.stale drops a code after 10 minutes), and nobody could
-- sign in, or confirm a delete or merge, while it lasted. Waited-for mail now goes in
-- lanes: a code (to sign in, delete, merge, prove), then a confirmation, then other mail
-- someone waits for ("You met"), then the rest; first come, first served within a lane.
-- The lane is an expression of the row rather than a column: "Take it back" puts emails back
-- with all their columns (contacts.undo_removal), which a generated column would refuse, and
-- no insert has to set it. mail.claim orders by this same expression, written the same way,
-- so that it reads this index in order and stops at its limit.
DROP INDEX emails_ready;
CREATE INDEX emails_ready ON emails (
    (CASE WHEN kind IN ('code', 'delete_code', 'merge_code', 'prove_code') THEN 3
          WHEN kind = 'confirm' THEN 2
          WHEN waited_for THEN 1
          ELSE 0 END) DESC,
    next_attempt_at, id
) WHERE status = 'queued';
