-- name: for_me
-- "People who can help you" at an event, and the people you can help: listed, present
-- attendees whose stemmed "can help with" shares words with my "looking for" (direction
-- 'helps_me'), or whose "looking for" shares words with my "can help with" ('i_help').
-- Ranked by ts_rank; each with its matching words marked by \x01...\x02 for the page to
-- turn into <mark> after escaping. Blocks either way hide people, as on the roster.
WITH me AS (
    SELECT needs, offers FROM cards WHERE account_id = $2
), wanted AS (
    SELECT
        (SELECT to_tsquery('simple', string_agg(quote_literal(word), ' | '))
         FROM unnest(tsvector_to_array(me.needs)) AS word) AS my_needs,
        (SELECT to_tsquery('simple', string_agg(quote_literal(word), ' | '))
         FROM unnest(tsvector_to_array(me.offers)) AS word) AS my_offers
    FROM me
), people AS (
    SELECT c.account_id, c.name, c.headline, c.company, c.photo_key, c.offers, c.needs,
           c.can_help_with, c.looking_for
    FROM event_attendees ea
    JOIN cards c ON c.account_id = ea.account_id
    WHERE ea.event_id = $1 AND ea.listed AND ea.left_at IS NULL AND ea.account_id <> $2
      AND NOT EXISTS (SELECT 1 FROM blocks b
                      WHERE (b.blocker_id = ea.account_id AND b.blocked_id = $2)
                         OR (b.blocker_id = $2 AND b.blocked_id = ea.account_id))
), ranked AS (
    SELECT 'helps_me' AS direction, p.*, ts_rank(p.offers, w.my_needs) AS rank,
           ts_headline('english', p.can_help_with, w.my_needs,
                       'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', HighlightAll=true')
               AS highlighted
    FROM people p, wanted w
    WHERE w.my_needs IS NOT NULL AND p.offers @@ w.my_needs
    UNION ALL
    SELECT 'i_help', p.*, ts_rank(p.needs, w.my_offers),
           ts_headline('english', p.looking_for, w.my_offers,
                       'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', HighlightAll=true')
    FROM people p, wanted w
    WHERE w.my_offers IS NOT NULL AND p.needs @@ w.my_offers
)
SELECT direction, account_id, name, headline, company, photo_key, rank, highlighted
FROM ranked
ORDER BY direction, rank DESC, name
LIMIT 60
