-- An event whose organizer deleted their account stays, closed, for the people who were there
-- ("Met at Lunch & Learn"). Once none of them has it (nobody who joined still has an account,
-- no contact says they met there, no removal Undo could bring back) the worker deletes it
-- (retention.events_left_behind); before, it was kept for good. This index finds the contacts
-- met at an event (the deletion's ON DELETE SET NULL reads it too, as delete_account() does).
CREATE INDEX contacts_event ON contacts (event_id) WHERE event_id IS NOT NULL;

-- Who its organizer removed kept out of a new account's join; with nobody in charge it is
-- closed and nobody joins, so the hashes of their addresses go now (delete_account() drops
-- them from now on).
DELETE FROM event_removed_addresses x
USING events e
WHERE e.id = x.event_id AND e.organizer_id IS NULL;
