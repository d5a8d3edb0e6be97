-- The address of someone an organizer removed from an event, as it was when they were
-- removed: a new account with it stays out (removed_address() in logic.sql). Compared with
-- their card as it is now, deleting the account (its attendee row goes with it) let them back
-- in, and putting someone else's address on that card locked that other person out. Only a
-- hash of the lower-cased address; kept as long as the event.
CREATE TABLE event_removed_addresses (
    event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    address_hash bytea NOT NULL,
    PRIMARY KEY (event_id, address_hash)
);

INSERT INTO event_removed_addresses (event_id, address_hash)
SELECT ea.event_id, sha256(convert_to(lower(c.email), 'UTF8'))
FROM event_attendees ea JOIN cards c ON c.account_id = ea.account_id
WHERE ea.removed_at IS NOT NULL AND c.email <> ''
ON CONFLICT DO NOTHING;

-- removed_address() reads the table above now.
DROP INDEX event_attendees_removed;
