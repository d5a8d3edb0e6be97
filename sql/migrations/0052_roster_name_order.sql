-- The roster in the order people read names: by a folded key (lowercased, accents off, as
-- search_fold() does for search, migrations 0028 and 0030), not by the bytes of the name.
-- Before, on a database whose collation is C, "dana lee" and "Åsa Berg" came after "Zoe Zed".
--
-- name_key is made as the search columns are: a name of ASCII alone is only lowered in the
-- column's own expression, the rest go through search_fold() (PL/pgSQL, not inlined: a card
-- is written at every swap by someone new). Compared in "C": the key is folded already, so
-- byte order is the order wanted, the same on any database, and the cheapest to compare.
-- Adding the column rewrites cards once.
--
-- cards_name_key replaces cards_name (0024), which only the roster read: a tier is read in
-- this order and stops at the page (roster_page() in logic.sql), and a card write keeps one
-- b-tree on the name, as before.
ALTER TABLE cards
    ADD COLUMN name_key text COLLATE "C" GENERATED ALWAYS AS (
        CASE WHEN octet_length(name) = length(name) THEN lower(name) ELSE search_fold(name) END
    ) STORED;
CREATE INDEX cards_name_key ON cards (name_key, account_id);
DROP INDEX cards_name;

-- roster_page() now takes its cursor as the values the viewer's last page ended on (tier,
-- name_key, account id) and returns them; logic.sql makes the new one.
DROP FUNCTION IF EXISTS roster_page(bigint, bigint, text, bigint, integer);
