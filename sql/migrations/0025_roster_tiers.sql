-- Roster search as you type, in tiers an index can serve (events.roster, roster_page() in
-- logic.sql): people whose name has every word typed first, then those found by name,
-- company and headline together, then the rest (`search`), each tier in name order. At a
-- big event (70,000 attendees) a prefix like "r" or "rec" matched 20,000-32,000 people, and
-- ranking every one of them by ts_rank before keeping a page of 51 took 50-110 ms; a tier
-- is read in name order (cards_name) and stops at the page, or, when few match, found
-- through its own GIN index here.
ALTER TABLE cards
    ADD COLUMN name_words tsvector GENERATED ALWAYS AS (to_tsvector('simple', name)) STORED,
    ADD COLUMN top_words tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', name || ' ' || company || ' ' || headline)
    ) STORED;
CREATE INDEX cards_name_words ON cards USING gin (name_words);
CREATE INDEX cards_top_words ON cards USING gin (top_words);
