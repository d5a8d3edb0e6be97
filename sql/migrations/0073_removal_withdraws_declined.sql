-- An organizer's Remove (events.remove_attendee) withdraws the requests to connect made at
-- the event to or from the one removed that nobody answered as far as their senders know: now
-- a declined one too, as a sender's Withdraw takes it (it stays declined). Before, only those
-- waiting went, and a declined one kept told its sender of the decline, which is silent:
-- "Request sent." for that person on another event's roster where a waiting one offered
-- "Request to connect" again (request_sent() in logic.sql), a kept copy of "Sent by you"
-- keeping it (contacts.kept_sent), and the removed one's own "Sent by you" keeping the
-- declined ones alone. Those left so are withdrawn here at the removal's moment, as the
-- Remove does it (the first removal's, both of the two removed): requests.sent and
-- export.requests_sent read that moment as the removal's. One its sender withdrew since keeps
-- its own moment.
UPDATE connect_requests r
SET withdrawn_at = (SELECT min(ea.removed_at) FROM event_attendees ea
                    WHERE ea.event_id = r.event_id AND ea.account_id IN (r.from_id, r.to_id))
WHERE r.status = 'declined' AND r.withdrawn_at IS NULL
  AND EXISTS (SELECT 1 FROM event_attendees ea
              WHERE ea.event_id = r.event_id AND ea.account_id IN (r.from_id, r.to_id)
                AND ea.removed_at IS NOT NULL);
