-- The roster with no search is in name order: at a big event (70,000 attendees) the first
-- page read the whole event and sorted it (about 200 ms); through this index it reads the
-- first names in order and stops at a page (under a millisecond).
CREATE INDEX cards_name ON cards (name, account_id);
