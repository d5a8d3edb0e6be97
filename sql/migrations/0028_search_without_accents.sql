-- Search that ignores accents: "ast" finds Åström, "jose" José, "muller" Müller, as people
-- type at an event on whatever keyboard they hold ("åst" still finds Åström).
--
-- search_fold() lowercases and takes the accents off Latin letters, by translate():
-- PostgreSQL's unaccent extension is not in every build (the embedded one has none). The
-- roster's search columns and the contacts' match_text are made of folded text, and the
-- queries fold what is typed (roster_page() in logic.sql, contacts.search).
CREATE OR REPLACE FUNCTION search_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT translate(
        replace(replace(replace(replace(lower(t), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th'),
        'àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżžșț',
        'aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzzst')
$$;

-- The columns as 0003 and 0025 made them, of folded text (their indexes go with them).
ALTER TABLE cards
    DROP COLUMN search,
    DROP COLUMN name_words,
    DROP COLUMN top_words,
    DROP COLUMN match_text;
ALTER TABLE cards
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', search_fold(name)), 'A')
        || setweight(to_tsvector('simple', search_fold(company)), 'B')
        || setweight(to_tsvector('simple', search_fold(headline)), 'B')
        || to_tsvector('simple', search_fold(looking_for || ' ' || can_help_with))
    ) STORED,
    ADD COLUMN name_words tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', search_fold(name))
    ) STORED,
    ADD COLUMN top_words tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', search_fold(name || ' ' || company || ' ' || headline))
    ) STORED,
    ADD COLUMN match_text text GENERATED ALWAYS AS (
        search_fold(name || E'\n' || headline || E'\n' || company)
    ) STORED;
CREATE INDEX cards_search ON cards USING gin (search);
CREATE INDEX cards_name_words ON cards USING gin (name_words);
CREATE INDEX cards_top_words ON cards USING gin (top_words);
CREATE INDEX cards_match_text ON cards (account_id) INCLUDE (match_text);
