-- Three things a person's data kept in the wrong place (review r71).
--
-- 1. A request to connect that was declined is settled by a swap between the two, as one still
-- waiting is (contacts.connect, `settled`: accepted). Declining is silent, so the asker reads a
-- declined request as waiting; once connected, "Sent by you" hides it (they are in each
-- other's contacts), but after either removed the other it showed again as waiting, for good.
-- The swap's UPDATE reads both kinds by this index, one probe per swap, as it read those
-- waiting by connect_requests_one_pending (which stays, for its uniqueness). A withdrawn one
-- is not shown, and stays as it is.
CREATE INDEX connect_requests_open_pair
    ON connect_requests (least(from_id, to_id), greatest(from_id, to_id))
    WHERE status IN ('pending', 'declined') AND withdrawn_at IS NULL;
-- Those declined between two people connected now were settled by their swap: settled here,
-- before a Remove brings them back.
UPDATE connect_requests r SET status = 'accepted', decided_at = now()
WHERE r.status = 'declined' AND r.withdrawn_at IS NULL
  AND EXISTS (SELECT 1 FROM contacts c WHERE c.owner_id = r.from_id AND c.contact_id = r.to_id);
--
-- 2. merge_accounts() (logic.sql) moves the merged-away account's gone_followups (migration
-- 0061) to the account kept, whose calendar file then cancels them; left behind, they went
-- with it and a calendar that imported them kept them, alarms and all.
--
-- 3. A block of an account deleted at the same moment (blocks.hold_both) is no longer a
-- foreign-key error: nothing to migrate.
--
-- This file also keeps a process of an older release, restarting mid-deploy, from putting back
-- the merge_accounts() without 2 (server/db/migrations.py).
