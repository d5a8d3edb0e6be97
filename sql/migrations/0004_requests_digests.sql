-- "Request to connect" from an event's roster. Declining is silent to the sender.
CREATE TABLE connect_requests (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id bigint NOT NULL REFERENCES events ON DELETE CASCADE,
    from_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    to_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz,
    CHECK (from_id <> to_id)
);
-- At most one pending request per pair, whichever way it goes.
CREATE UNIQUE INDEX connect_requests_one_pending
    ON connect_requests (least(from_id, to_id), greatest(from_id, to_id))
    WHERE status = 'pending';
CREATE INDEX connect_requests_to ON connect_requests (to_id, status);
CREATE INDEX connect_requests_from_recent ON connect_requests (from_id, created_at);

-- Deliveries now carry one of three kinds of notification: a follow-up reminder,
-- a connect request, or an event's digest.
ALTER TABLE deliveries
    ALTER COLUMN followup_id DROP NOT NULL,
    ALTER COLUMN round DROP NOT NULL,
    ADD COLUMN request_id bigint REFERENCES connect_requests ON DELETE CASCADE,
    ADD COLUMN digest_event_id bigint REFERENCES events ON DELETE CASCADE,
    ADD COLUMN digest_account_id bigint REFERENCES accounts ON DELETE CASCADE,
    ADD CONSTRAINT deliveries_one_kind CHECK (
        num_nonnulls(followup_id, request_id, digest_event_id) = 1
        AND (digest_event_id IS NULL) = (digest_account_id IS NULL)
    );
CREATE UNIQUE INDEX deliveries_request_once ON deliveries (request_id, subscription_id)
    WHERE request_id IS NOT NULL;
CREATE UNIQUE INDEX deliveries_digest_once ON deliveries (digest_event_id, digest_account_id, subscription_id)
    WHERE digest_event_id IS NOT NULL;

-- Each attendee's digest is queued once, after the event ends.
ALTER TABLE event_attendees ADD COLUMN digest_queued_at timestamptz;
CREATE INDEX events_ended ON events (ends_at);
