-- Search as you type at a big event and in a long memory.
--
-- The roster (roster_page() in logic.sql) in tiers an index can serve: people whose name
-- has every word typed first, then those found by name, company and headline together,
-- then the rest (`search`), each tier in name order. At 70,000 attendees a prefix like "r"
-- or "rec" matched 20,000-32,000 people, and ranking every one of them by ts_rank before
-- keeping a page of 51 took 50-110 ms; a tier is read in name order (cards_name) and stops
-- at the page, or, when few match, is found through its own GIN index here.
ALTER TABLE cards
    ADD COLUMN name_words tsvector GENERATED ALWAYS AS (to_tsvector('simple', name)) STORED,
    ADD COLUMN top_words tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', name || ' ' || company || ' ' || headline)
    ) STORED,
    -- Contacts search (contacts.search) matches a substring of name, headline or company
    -- with ILIKE, which lowercases the pattern and each of the three fields for every
    -- contact it reads: a string few match reads all of them (10,000 in a long memory).
    -- Lowercased once here, as ILIKE would (the same lower()), one LIKE per contact; the
    -- lines keep a match within one field (a typed pattern never holds a line break).
    ADD COLUMN match_text text GENERATED ALWAYS AS (
        lower(name || E'\n' || headline || E'\n' || company)
    ) STORED;
CREATE INDEX cards_name_words ON cards USING gin (name_words);
CREATE INDEX cards_top_words ON cards USING gin (top_words);
-- Contacts search reads match_text once per contact it passes: from this index alone, not
-- from the end of a wide row (reading that last column cost more than the match).
CREATE INDEX cards_match_text ON cards (account_id) INCLUDE (match_text);
