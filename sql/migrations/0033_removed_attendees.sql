-- The people an organizer removed from an event, found by event: a join checks that the
-- joiner's address is not on one of their cards (removed_address() in logic.sql), and a big
-- event's attendees are tens of thousands, its removed a handful.
CREATE INDEX event_attendees_removed ON event_attendees (event_id) WHERE removed_at IS NOT NULL;
