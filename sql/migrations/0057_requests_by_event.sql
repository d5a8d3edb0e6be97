-- Requests to connect found by event: retention keeps an event whose organizer deleted their
-- account while a request made there is still kept (retention.events_left_behind: one
-- waiting for an answer outlives both people leaving), and deleting an event deletes its
-- requests (ON DELETE CASCADE), which read them by this index rather than the whole table.
CREATE INDEX connect_requests_event ON connect_requests (event_id);
