-- Text shown to others loses invisible format characters (Unicode category Cf: bidi
-- overrides such as U+202E, zero-width spaces and joiners, soft hyphens, tags) and is put in
-- NFC, as server/web/forms.py `plain` now does with everything typed. A name like
-- "Dana<U+202E>eeL" or "Dana<U+200B> Lee" could pass for someone else's in a roster, a crowd
-- or a notification title. The character class is every Cf code point of Unicode 14.
--
-- This migration also marks when session cookies took the __Host- prefix on https: a
-- session that began before it was applied may arrive once under the old name and is given
-- the new one (server/web/sessions.py); any later one under the old name was not set by us.
CREATE FUNCTION pg_temp.plain(value text, fallback text, one_line boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(NULLIF(btrim(CASE WHEN one_line THEN regexp_replace(x, '  +', ' ', 'g')
                                      ELSE x END), ''), fallback)
    FROM (SELECT normalize(regexp_replace(value,
        '[\u00AD\u0600-\u0605\u061C\u06DD\u070F\u0890-\u0891\u08E2\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB\U000110BD\U000110CD\U00013430-\U00013438\U0001BCA0-\U0001BCA3\U0001D173-\U0001D17A\U000E0001\U000E0020-\U000E007F]',
        '', 'g'), NFC) AS x) AS cleaned
$$;

UPDATE cards
SET name = pg_temp.plain(name, 'Someone', true),
    headline = pg_temp.plain(headline, '', true),
    company = pg_temp.plain(company, '', true),
    looking_for = pg_temp.plain(looking_for, '', false),
    can_help_with = pg_temp.plain(can_help_with, '', false)
WHERE (name, headline, company, looking_for, can_help_with) IS DISTINCT FROM
      (pg_temp.plain(name, 'Someone', true), pg_temp.plain(headline, '', true),
       pg_temp.plain(company, '', true), pg_temp.plain(looking_for, '', false),
       pg_temp.plain(can_help_with, '', false));

UPDATE events
SET name = pg_temp.plain(name, 'Event', true),
    venue = pg_temp.plain(venue, '', true),
    description = pg_temp.plain(description, '', false)
WHERE (name, venue, description) IS DISTINCT FROM
      (pg_temp.plain(name, 'Event', true), pg_temp.plain(venue, '', true),
       pg_temp.plain(description, '', false));

DROP FUNCTION pg_temp.plain(text, text, boolean);
