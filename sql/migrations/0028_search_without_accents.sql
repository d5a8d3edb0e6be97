-- Search that ignores accents: "ast" finds Åström, "jose" José, "muller" Müller, as people
-- type at an event on whatever keyboard they hold ("åst" still finds Åström).
--
-- search_fold() lowercases and takes the accents off Latin letters, by translate():
-- PostgreSQL's unaccent extension is not in every build (the embedded one has none). The
-- roster's search columns and the contacts' match_text are made of folded text, and the
-- queries fold what is typed (roster_page() in logic.sql, contacts.search).
--
-- A card is written at every swap by someone new, so its columns cost what they must: a
-- field of ASCII alone (a byte a character) has no accent to take off and is only lowered,
-- in the column's own expression; search_fold() is PL/pgSQL, called for the rest. As an
-- SQL function PostgreSQL inlined it, which meant parsing its body for every statement that
-- wrote a card: 80-110 µs more a card than before this migration (an insert's round trip,
-- 4,000 of them), where this costs about 30.
CREATE OR REPLACE FUNCTION search_fold(t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN translate(
        replace(replace(replace(replace(lower(t), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th'),
        'àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżžșț',
        'aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzzst');
END
$$;

-- The columns as 0003 and 0025 made them, of folded text (their indexes go with them).
ALTER TABLE cards
    DROP COLUMN search,
    DROP COLUMN name_words,
    DROP COLUMN top_words,
    DROP COLUMN match_text;
ALTER TABLE cards
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple',
            CASE WHEN octet_length(name) = length(name)
                 THEN lower(name) ELSE search_fold(name) END), 'A')
        || setweight(to_tsvector('simple',
            CASE WHEN octet_length(company) = length(company)
                 THEN lower(company) ELSE search_fold(company) END), 'B')
        || setweight(to_tsvector('simple',
            CASE WHEN octet_length(headline) = length(headline)
                 THEN lower(headline) ELSE search_fold(headline) END), 'B')
        || to_tsvector('simple',
            CASE WHEN octet_length(looking_for) = length(looking_for)
                 THEN lower(looking_for) ELSE search_fold(looking_for) END
            || ' '
            || CASE WHEN octet_length(can_help_with) = length(can_help_with)
                    THEN lower(can_help_with) ELSE search_fold(can_help_with) END)
    ) STORED,
    ADD COLUMN name_words tsvector GENERATED ALWAYS AS (
        to_tsvector('simple',
            CASE WHEN octet_length(name) = length(name)
                 THEN lower(name) ELSE search_fold(name) END)
    ) STORED,
    ADD COLUMN top_words tsvector GENERATED ALWAYS AS (
        to_tsvector('simple',
            CASE WHEN octet_length(name) = length(name)
                 THEN lower(name) ELSE search_fold(name) END
            || ' '
            || CASE WHEN octet_length(company) = length(company)
                    THEN lower(company) ELSE search_fold(company) END
            || ' '
            || CASE WHEN octet_length(headline) = length(headline)
                    THEN lower(headline) ELSE search_fold(headline) END)
    ) STORED,
    ADD COLUMN match_text text GENERATED ALWAYS AS (
        CASE WHEN octet_length(name) = length(name)
             THEN lower(name) ELSE search_fold(name) END
        || E'\n'
        || CASE WHEN octet_length(headline) = length(headline)
                THEN lower(headline) ELSE search_fold(headline) END
        || E'\n'
        || CASE WHEN octet_length(company) = length(company)
                THEN lower(company) ELSE search_fold(company) END
    ) STORED;
CREATE INDEX cards_search ON cards USING gin (search);
CREATE INDEX cards_name_words ON cards USING gin (name_words);
CREATE INDEX cards_top_words ON cards USING gin (top_words);
CREATE INDEX cards_match_text ON cards (account_id) INCLUDE (match_text);
