-- A join code its organizer replaced ("Make a new join code") is kept with its event, so the
-- old poster's QR code, its link, or the code typed is told that it was replaced (410), not
-- that it is unknown (404, "check it with the organizer"): that sent people to retype a code
-- they had right. It opens nothing; it is only told apart. It goes with its event, and a code
-- drawn again for another event is that event's (a live code is looked up first).
CREATE TABLE event_replaced_codes (
    join_code text PRIMARY KEY CHECK (join_code ~ '^[2-9A-HJKMNP-Z]{6}$'),
    event_id bigint NOT NULL REFERENCES events ON DELETE CASCADE
);
-- Deleting an event (delete_account(), retention) finds its codes by this.
CREATE INDEX event_replaced_codes_event ON event_replaced_codes (event_id);

-- An event whose organizer deleted their account before such a deletion closed it stayed open
-- with nobody in charge (and, since 0054, with nobody removed kept out). It is closed now, as
-- delete_account() closes one: the delete page and Privacy say it is, and joining says why.
UPDATE events SET closed_at = now() WHERE organizer_id IS NULL AND closed_at IS NULL;
