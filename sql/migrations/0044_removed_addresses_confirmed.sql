-- A removed attendee's addresses kept out of the event (event_removed_addresses) are now only
-- those they confirmed (events.remove_attendee): a card takes any address unconfirmed, so
-- keeping the one on the card let someone put another person's address on theirs, get
-- removed, and lock that person out of the event. Here, what was kept before by the old rule.

-- Kept from a card that carries the address still, unconfirmed by that account, and confirmed
-- by nobody removed from the event: most likely someone else's, so it goes. A hash no
-- account shows now (deleted since, or the card changed) cannot be told apart, and stays.
DELETE FROM event_removed_addresses r
WHERE EXISTS (
        SELECT 1 FROM event_attendees ea JOIN cards c ON c.account_id = ea.account_id
        WHERE ea.event_id = r.event_id AND ea.removed_at IS NOT NULL AND c.email <> ''
          AND sha256(convert_to(lower(c.email), 'UTF8')) = r.address_hash
          AND NOT EXISTS (SELECT 1 FROM address_confirmations x
                          WHERE x.account_id = c.account_id AND x.address = lower(c.email)))
  AND NOT EXISTS (
        SELECT 1 FROM event_attendees ea JOIN address_confirmations x ON x.account_id = ea.account_id
        WHERE ea.event_id = r.event_id AND ea.removed_at IS NOT NULL
          AND sha256(convert_to(x.address, 'UTF8')) = r.address_hash);

-- And every address a removed attendee confirmed, as the new rule keeps them.
INSERT INTO event_removed_addresses (event_id, address_hash)
SELECT ea.event_id, sha256(convert_to(x.address, 'UTF8'))
FROM event_attendees ea JOIN address_confirmations x ON x.account_id = ea.account_id
WHERE ea.removed_at IS NOT NULL
ON CONFLICT DO NOTHING;
